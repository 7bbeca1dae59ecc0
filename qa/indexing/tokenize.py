"""The one place jieba is called: search-mode words for BM25 (minus stop words), and the part-of-speech tagger."""
from __future__ import annotations

import logging
import re

import jieba

from qa.text.script import to_half_width, to_simplified

# 疑问词和虚词只会把 BM25 拉向无关段落
STOP_WORDS = frozenset(
    """
    的 了 和 与 及 以及 或 或者 是 在 有 为 对 将 把 被 从 到 由 于 其 其中 这 那 这些 那些 这个 那个
    也 都 就 还 又 并 而 等 等等 之 个 中 上 下 里 共 共有 已 已经 我 你 他 它 我们 你们 他们
    多少 几 几个 哪 哪些 哪个 哪里 哪一年 什么 怎么 怎样 如何 为什么 谁 吗 呢 吧 啊 请问 请 告诉
    一下 是否 有没有 是不是 多大 多长 多久 情况 方面 相关 关于
    """.split()
)
_PUNCTUATION_OR_SPACE = re.compile(r"^[\W_]+$")
# BM25 的切词规则或它读的文字改了就加一：已有索引下次 `qa index` 会重建 BM25（向量照样复用）
# 3：段落另记它的「去年」「过去五年」所指的年份（qa.indexing.build.bm25_tokens）
# 4：那些年份按文档的发布日期推算（qa.indexing.dates）；已有索引借此重算一遍，清单也就记下了发布日期
TOKENIZER_VERSION = 4

jieba.setLogLevel(logging.WARNING)


class Tokenizer:
    """Jieba search-mode tokenizer with its own dictionary state (not jieba's global one)."""

    def __init__(self) -> None:
        self.jieba = jieba.Tokenizer()
        self.jieba.initialize()

    def tokens(self, text: str) -> list[str]:
        """Lower-cased words for BM25, without punctuation and stop words; full-width digits and traditional
        characters folded first, so 「２０００年」 matches 「2000年」 and 「網際網路」 matches 「网际网路」."""
        words = self.jieba.lcut_for_search(to_simplified(to_half_width(text)))
        return [
            word
            for word in (word.strip().lower() for word in words)
            if word and word not in STOP_WORDS and not _PUNCTUATION_OR_SPACE.match(word)
        ]

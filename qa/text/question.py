"""A question as people type it -> the questions it asks.

- Markup is plain text: HTML tags and Markdown marks (`**粗体**`, `<script>`) are dropped from what is searched and
  read, so they never become search terms (the chat shows the question as typed).
- Courtesy and preamble are set aside: 「您好，我在写一篇文章……想请教一下：2007年底……有多少？谢谢！」 asks the sentence that
  asks; a year named only in the preamble is carried into it.
- 「A和B分别是多少？」, 「A、B、C各是多少」 and 「A是多少？B是多少？」 become one question per item; a later item keeps
  the first one's year and place (「2007年杭州因特网注册用户和移动电话用户分别是多少？」 -> 「2007年杭州移动电话用户是多少？」).
"""
from __future__ import annotations

import html
import re
from typing import Callable

MAX_PARTS = 6  # 一句里拆出的小问题最多这么多个，再多就按原样整句问
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_MARKDOWN = re.compile(r"\*\*|__|~~|`+|^\s{0,3}#{1,6}\s+|^\s{0,3}>\s?", re.M)
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
# 一句话在问东西：问号，或问句的词
_ASKS = re.compile(r"[？?]|多少|几|什么|哪|谁|是否|吗|怎样|怎么|如何|为何|为什么|何时|多大|多高|多长|多远|多久|多重")
# 句首的客套话（请问、您好……），和只有客套的句子
_COURTESY = re.compile(
    r"^(?:(?:你好|您好|大家好|请问一下|请问|麻烦(?:您|你)?(?:问一下|请教一下|帮我查一下|查一下)?|想问一下|我想问一下|我想问|我想知道|我想了解一下|"
    r"想请教一下|请教一下|请教|劳驾|打扰(?:一下|了)?|谢谢(?:您|你)?|多谢|感谢)[，,、：:！!。\s]*)+"
)
# 只是请人帮忙、没有问具体内容的一句：「可以帮我查一下吗？」「有一个问题：」
_REQUEST_ONLY = re.compile(
    r"^(?:请|麻烦)?(?:你|您)?(?:能|可以|可否|能否|能不能)?(?:帮(?:我|忙)?|替我)?(?:查|看|找|回答|解答|告诉我)?(?:一下)?(?:吗|么|吧)?[？?。！!]*$"
)
_LEAD_IN = re.compile(r"^(?:我)?(?:有)?(?:一个|个)?问题(?:是|想请教)?[：:，,]\s*")
_YEAR = re.compile(r"(?:19|20)\d{2}年(?:底|末|初|上半年|下半年)?")
# 「A和B分别是多少」「A、B、C各有多少个」：A、B… 和问法
_EACH = re.compile(r"^(?P<items>.+?)(?:分别|各自|各)(?P<tail>[^，,。？?]{0,8}?(?:多少|几)[^，,。？?]*[？?]?)$")
_ITEM_SEPARATOR = re.compile(r"以及|和|与|及|跟|、")
MIN_ITEM_CHARS = 2


def plain_question(text: str) -> str:
    """The question without markup: tags and Markdown marks dropped, entities decoded, spaces collapsed."""
    text = _MARKDOWN.sub("", _TAG.sub(" ", text or ""))
    return " ".join(html.unescape(text).split())


def question_parts(text: str, places_in: Callable[[str], list[str]] = lambda text: []) -> list[str]:
    """The questions a message asks, in order (at least one: the plain text itself when nothing asks).
    `places_in` finds the place names a question names (the answerer's), to carry them into later items."""
    plain = plain_question(text)
    sentences = [s.strip() for s in _SENTENCE.findall(plain) if s.strip()]
    asking = [_without_courtesy(s) for s in sentences if _ASKS.search(s) and _without_courtesy(s)]
    if not asking:
        return [plain]
    preamble_years = [y for s in sentences if not _ASKS.search(s) for y in _YEAR.findall(s)]
    if preamble_years and not _YEAR.search(asking[0]):
        asking[0] = preamble_years[0] + asking[0]  # 年份只在前面的铺垫里说了
    parts = []
    for sentence in asking:
        parts += _each_item(sentence, places_in)
    return parts[:MAX_PARTS] if len(parts) <= MAX_PARTS else [" ".join(asking)]


def _without_courtesy(sentence: str) -> str:
    """The sentence without its courtesy and lead-in; "" when nothing but a request for help is left."""
    rest = _LEAD_IN.sub("", _COURTESY.sub("", sentence).strip()).strip()
    return "" if _REQUEST_ONLY.match(rest) else rest


def _each_item(sentence: str, places_in: Callable[[str], list[str]]) -> list[str]:
    """「A和B分别是多少？」 -> 「A是多少？」「B是多少？」 with A's year and place before B; otherwise the sentence."""
    match = _EACH.match(sentence)
    if not match:
        return [sentence]
    items = [item.strip("，, ") for item in _ITEM_SEPARATOR.split(match["items"])]
    if len(items) < 2 or any(len(item) < MIN_ITEM_CHARS for item in items):
        return [sentence]
    tail = match["tail"]
    tail = tail if tail.endswith(("？", "?")) else tail + "？"
    first = items[0]
    years = _YEAR.findall(first)
    context = "".join(years[:1]) + "".join(places_in(first)[:1])
    parts = [first + tail]
    for item in items[1:]:
        own = _YEAR.search(item) or any(item.startswith(p) for p in places_in(item))
        parts.append((item if own else context + item) + tail)
    return parts

"""The PDF reader checked by a second route: PDFium's own plain text of the same page.

After layout (running headers dropped, columns ordered, tables turned into facts), every figure of the page must
still be there digit for digit, and no figure may appear that the page does not have; the characters the layout
kept must be the page's characters. A page that fails is read again as plain text and reported: a figure is never
altered silently. A page whose text is mostly private-use glyphs, replacement characters or Latin-1 accents is
garbage (a font without a Unicode map), not text."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# 一页文字里这种字（私用区、替换符、控制符、西欧重音字母）占到这个比例：字体没有 Unicode 映射，读出的是乱码
GARBAGE_SHARE = 0.3
# 字符对不上的容差：版面处理最多丢这么多个字（不算空白）
MISSING_CHARS_ALLOWED = 0

# 数字：连着的阿拉伯数字，带千分位、小数点、正负号（全角先折成半角）
_FIGURE = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?")
_SPACE_AFTER_SEPARATOR = re.compile(r"(?<=\d,)[ \t]+(?=\d)")
# 一个数字跨行：行尾是负号、千分位或小数点，下一行接着数字（「增长-\n3.9%」「1,234,\n567」）
_NUMBER_ACROSS_LINES = re.compile(r"(?<=[-−,.])[ \t]*\r?\n[ \t]*(?=\d)")


@dataclass(frozen=True)
class PageCheck:
    """What the layout lost or changed on one page, compared with PDFium's plain text."""

    missing_figures: tuple[str, ...]  # PDFium 有、版面读出的没有（或被改了）的数字
    extra_figures: tuple[str, ...]  # 版面读出的有、PDFium 没有的数字（两个数字被接成了一个）
    missing_chars: int

    @property
    def ok(self) -> bool:
        return not self.missing_figures and not self.extra_figures and self.missing_chars <= MISSING_CHARS_ALLOWED


def figures(text: str) -> Counter:
    """The multiset of figures written in the text, full-width digits folded, thousands separators kept (a space
    after a full-width comma, 「１， ０８６」, is the comma's width, not a break; a number broken after its sign, a
    separator or its decimal point goes on on the next line)."""
    folded = _NUMBER_ACROSS_LINES.sub("", _SPACE_AFTER_SEPARATOR.sub("", _fold(text)))
    return Counter(match.group().replace("−", "-") for match in _FIGURE.finditer(folded))


def check_page(plain: str, kept: list[str], written: str) -> PageCheck:
    """Compare PDFium's `plain` text of a page with what the layout `kept` of it (raw pieces, running lines
    included) and the text it `written` for the page (paragraphs and table facts)."""
    truth = figures(plain)
    ours = figures(written)
    # 表格事实会重复表头里的数字（每个单元格一句「2020年……」），所以只问：PDFium 的每个数字都在，且没有新数字
    missing = truth - ours
    extra = [figure for figure in ours if figure not in truth]
    lost_chars = _chars(plain) - _chars("".join(kept))
    return PageCheck(tuple(sorted(missing.elements())), tuple(sorted(extra)), sum(lost_chars.values()))


def is_garbage(text: str) -> bool:
    """Text that a font without a Unicode map gives: mostly private-use glyphs, U+FFFD/U+FFFE, control characters
    or Latin-1 accented letters standing in for Chinese characters."""
    visible = [char for char in text if not char.isspace()]
    if not visible:
        return False
    bad = sum(1 for char in visible if _garbage_char(char))
    return bad / len(visible) >= GARBAGE_SHARE


def _garbage_char(char: str) -> bool:
    code = ord(char)
    if 0xE000 <= code <= 0xF8FF or code in (0xFFFD, 0xFFFE, 0xFFFF) or code >= 0xF0000:
        return True  # 私用区字形、替换符
    if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
        return True
    return 0x00C0 <= code <= 0x024F  # 西欧重音字母：GBK 字节被当成 Latin-1 读出来的样子


def _chars(text: str) -> Counter:
    return Counter(char for char in _fold(text) if not char.isspace())


def _fold(text: str) -> str:
    """Full-width digits, letters and punctuation as half-width (「２１７」 and 「217」 are the same figure)."""
    return unicodedata.normalize("NFKC", text)

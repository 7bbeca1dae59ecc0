"""A PDF page's text as PDFium reads it (content-stream order, its own line breaks), cut into lines and pieces.

PDFium's plain text of a page (`PdfTextPage.get_text_range()`) is in reading order and complete on PDFs from Word,
WPS, LibreOffice and browsers; asking it for the text inside rectangles instead shreds such pages (a run of one or
two characters per rectangle, decimal points outside every rectangle). So the text is taken character by character
in PDFium's order, each character with its box, and only then grouped: a line ends where PDFium puts a line break,
and a line is cut into pieces where a wide gap opens (table cells, a row label and its values)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from qa.indexing.formats.tables import Table

# 同一行里两个字之间空出这么多个字宽：分成两段（表格的单元格、行标签和数值；LaTeX 的表格列间只空一个字宽）
PIECE_GAP_CHARS = 0.8
# PDFium 自己补的空格（字距稍大就补）：挨着汉字、空白又不到这么多个字宽的不要（「2020 年」→「2020年」）
GENERATED_SPACE_CHARS = 0.5
# 下一个字往回跳了这么多个字宽（同一行里倒着写）：另起一段
BACKWARD_JUMP_CHARS = 1.0
BOLD_WEIGHT = 600
# 脚注号：字号不到正文的这一比例，底边高出正文基线这么多个字高
SUPERSCRIPT_SIZE = 0.8
SUPERSCRIPT_RISE = 0.2
_MARK_SYMBOLS = "*＊†‡"

_LINE_BREAKS = {"\r", "\n"}
SOFT_HYPHEN = "\ufffe"
# 行首的条目编号（「一、」「（三）」「1.」「①」「•」）：折下来的行与编号后的文字对齐（悬挂缩进）
LIST_MARKER = re.compile(r"^(?:[（(][\d一二三四五六七八九十]{1,3}[)）]|[\d一二三四五六七八九十]{1,3}[、.．](?!\d)|[①-⑳]|[•·●■◆√□](?!\d))\s*")


@dataclass
class Line:
    """A piece of text on one baseline, with its box in PDF points (bottom-up) and where it stands in the stream."""

    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    bold: bool
    page: int  # 1-based
    order: int  # 页内次序：PDFium 文字流里的位置
    source_line: int  # PDFium 的第几行（一行被宽空白切成几段时，几段同号）
    column: int = 0  # 0: the page's full width (or a one-column page); 1, 2: left, right column
    table: Table | None = None  # a table found on the page stands in the reading order as one "line"
    hang: float | None = None  # where the text after a list number starts: the item's wrapped lines align there
    marks: str = ""  # footnote marks taken out of the text (small raised digits): 「产量1比上年」 → 「产量比上年」
    opens_note: bool = False  # the line starts with a footnote mark: the first line of a footnote
    verbatim: bool = False  # a page read as PDFium's plain text (its layout failed the check): no numbers glued
    margin_band: float = 0.1  # share of the page's height at its top and bottom where headers and footers stand


@dataclass(frozen=True)
class _Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    generated: bool
    index: int


def read_page(page: pdfium.PdfPage, number: int) -> tuple[list[Line], str]:
    """The page's pieces of text in PDFium's order, and PDFium's plain text of the page (for the self-check)."""
    textpage = page.get_textpage()
    try:
        # PDFium 把行尾的连字符记成 U+FFFE（当作英文断词）；中文报告里那多半是负号：「增长-\n3.9%」
        plain = textpage.get_text_range().replace(SOFT_HYPHEN, "-")
        chars = _chars(textpage, plain)
        lines = [_line(textpage, run, number, order, source_line) for order, (run, source_line) in enumerate(_runs(chars))]
    finally:
        textpage.close()
    return lines, plain


def _chars(textpage: pdfium.PdfTextPage, plain: str) -> list[_Char]:
    """Every character of the page with its box and font size; PDFium's line breaks kept as '\\n'."""
    raw = textpage.raw
    box = pdfium_c.FS_RECTF()
    chars = []
    # get_text_range 与字符序号一一对应（UTF-16 的代理对在 PDFium 里也占两个序号）
    for index, text in enumerate(plain):
        if text in _LINE_BREAKS:
            if not chars or chars[-1].text != "\n":
                chars.append(_Char("\n", 0, 0, 0, 0, 0, True, index))
            continue
        # 「宽松」的字框：按字的步进宽度和字体的上下高度，不按墨迹（全角逗号的墨迹只占左下角一小块）
        pdfium_c.FPDFText_GetLooseCharBox(raw, index, box)
        generated = bool(pdfium_c.FPDFText_IsGenerated(raw, index))
        size = 0.0 if generated else pdfium_c.FPDFText_GetFontSize(raw, index)
        chars.append(_Char(text, box.left, box.bottom, box.right, box.top, size, generated, index))
    return chars


def _runs(chars: list[_Char]) -> list[tuple[list[_Char], int]]:
    """Characters grouped into pieces (a new piece at each line break, wide gap or backward jump), each with the
    number of PDFium's line it is on."""
    runs: list[tuple[list[_Char], int]] = []
    current: list[_Char] = []
    last: _Char | None = None  # the last visible character of the current piece
    source_line = 0
    for char in chars:
        if char.text == "\n":
            runs.append((current, source_line))
            current, last, source_line = [], None, source_line + 1
            continue
        if char.text.isspace():
            current.append(char)
            continue
        if last is not None:
            width = max(last.size, char.size, 1.0)
            gap = char.left - last.right
            new_line = gap < -BACKWARD_JUMP_CHARS * width or not _same_baseline(last, char)
            if new_line or gap > PIECE_GAP_CHARS * width:
                runs.append((current, source_line))
                current = []
                # 换了一行而 PDFium 没有断行（它把行尾的「-」当断词，接上了下一行）：算新的一行
                source_line += new_line
        current.append(char)
        last = char
    runs.append((current, source_line))
    return [(_trimmed(run), line) for run, line in runs if any(not char.text.isspace() for char in run)]


def _same_baseline(a: _Char, b: _Char) -> bool:
    """Whether two characters share a line: their boxes overlap vertically (superscripts and commas included)."""
    if a.top <= a.bottom or b.top <= b.bottom:
        return True  # 空白、标点的框可能是扁的：不凭它们断行
    return min(a.top, b.top) - max(a.bottom, b.bottom) > -0.3 * max(a.size, b.size, 1.0)


def _trimmed(run: list[_Char]) -> list[_Char]:
    start, end = 0, len(run)
    while run[start].text.isspace():
        start += 1
    while run[end - 1].text.isspace():
        end -= 1
    return run[start:end]


def _line(textpage: pdfium.PdfTextPage, run: list[_Char], page: int, order: int, source_line: int) -> Line:
    marks = _footnote_marks(run)
    opens_note = next(char for char in run if not char.text.isspace()).index in marks
    run = [char for char in run if char.index not in marks]
    visible = [char for char in run if not char.text.isspace()]
    text = "".join(char.text for char, keep in zip(run, _kept(run)) if keep)
    first = visible[0]
    sizes = sorted(char.size for char in visible)
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, first.index)
    marker = LIST_MARKER.match(text)
    after = visible[len("".join(marker.group().split()))] if marker and len(text) > marker.end() else None
    return Line(
        text,
        min(char.left for char in visible),
        min(char.bottom for char in visible),
        max(char.right for char in visible),
        max(char.top for char in visible),
        round(sizes[len(sizes) // 2], 1),
        weight >= BOLD_WEIGHT,
        page,
        order,
        source_line,
        hang=after.left if after is not None else None,
        marks="".join(marks.values()),
        opens_note=opens_note,
    )


def _footnote_marks(run: list[_Char]) -> dict[int, str]:
    """The footnote marks in a piece: digits (or ＊†‡) set small and raised above the characters around them, not
    after a Latin letter (「m²」 is a unit). They are not text: left in, 「达到112.36万吨1」 would read as another figure.
    Returns {character index: character}; in a piece all of one size (a footnote itself) there are none."""
    visible = [char for char in run if not char.text.isspace() and char.size > 0]
    if not visible:
        return {}
    body = max(char.size for char in visible)
    full = sorted(char.bottom for char in visible if char.size > SUPERSCRIPT_SIZE * body)
    baseline = full[len(full) // 2]
    marks: dict[int, str] = {}
    exponent = False  # 上标接在英文字母后面（「m²」「km2」）：是指数，留着
    for i, char in enumerate(visible):
        raised = char.size <= SUPERSCRIPT_SIZE * body and char.bottom >= baseline + SUPERSCRIPT_RISE * body
        if not raised or not (char.text.isdigit() or char.text in _MARK_SYMBOLS):
            exponent = False
            continue
        before = visible[i - 1] if i else None
        if before is not None and before.index not in marks:
            exponent = before.text.isascii() and before.text.isalpha()
        if not exponent:
            marks[char.index] = char.text
    return marks


def _kept(run: list[_Char]) -> list[bool]:
    """Which characters stay: all but the spaces PDFium made up for a small gap next to a Chinese character."""
    kept = []
    for i, char in enumerate(run):
        if not (char.generated and char.text == " "):
            kept.append(True)
            continue
        before = next((c for c in reversed(run[:i]) if not c.text.isspace()), None)
        after = next((c for c in run[i + 1 :] if not c.text.isspace()), None)
        if before is None or after is None:
            kept.append(False)
            continue
        width = max(before.size, after.size, 1.0)
        narrow = after.left - before.right < GENERATED_SPACE_CHARS * width
        in_number = before.text in ",，" and after.text.isdigit()  # 「１，０８６」：全角逗号占一个字宽，不是空格
        kept.append(not (in_number or (narrow and (is_cjk(before.text) or is_cjk(after.text)))))
    return kept


def is_cjk(char: str) -> bool:
    """A Chinese character or Chinese/full-width punctuation."""
    return unicodedata.east_asian_width(char) in ("W", "F")

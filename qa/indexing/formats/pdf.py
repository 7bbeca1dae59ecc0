"""PDF with a text layer -> text with page numbers (pypdfium2: fast, reads CJK fonts, gives font sizes; see
benchmarks/results/pdf_producers.md for the measurement on PDFs from LibreOffice, Chromium, Word and others).

Per page, PDFium's text in its own order is cut into lines and pieces (qa.indexing.formats.pdf_lines). Tables are
found among the pieces (rows of pieces set apart by wide gaps, with numbers); running headers and footers (the same
line at the top or bottom of many pages, page numbers) are dropped; two-column stretches are read left column, then
right; lines are joined into paragraphs, across page breaks too, unless the previous line stops short, the next is
indented or a gap opens. Headings come from the outline (bookmarks) when the file has one, else from larger or bold
lines. Every page is then checked against PDFium's plain text (qa.indexing.formats.pdf_check): a page whose figures
or characters do not agree is read as that plain text instead, and the user is told."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from qa.indexing.dates import published_from_pdf_metadata
from qa.indexing.formats.builder import Extracted, TextBuilder
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.formats.pdf_check import PageCheck, check_page, is_garbage
from qa.indexing.formats.pdf_lines import LIST_MARKER, PIECE_GAP_CHARS, Line, is_cjk, read_page
from qa.indexing.formats.tables import Table, is_caption, is_numeric, table_facts

MAX_PAGES = 3000
# 页眉页脚：离页面上下边这么多磅之内的行（A4 竖排页高的一成，约 3 厘米），在这一比例的页上重复出现（数字不计）
MARGIN_BAND_POINTS = 84.0
REPEATED_ON_SHARE = 0.4
# 「同一个位置」：上下按页高的 1/这么多 取整，左右按行中点这么多磅取整；按位置认页眉至少要这么多页
RUNNING_PLACE_BINS = 200
RUNNING_CENTRE_POINTS = 6
MIN_PLACE_PAGES = 3
# 页眉一行至多两段（左边报告名、右边章名）；同一行上有这么多段别的文字：是每页重复的表头
MAX_RUNNING_COMPANY = 2
# 比正文大这么多的短行是标题；标题不超过这么多字
HEADING_SIZE_RATIO = 1.15
MAX_HEADING_CHARS = 40
# 行尾离栏右边超过这么多个字宽：段落到这里结束；行首缩进超过这么多个字宽：新段落开始
SHORT_LINE_CHARS = 2.0
INDENT_CHARS = 1.5
# 相邻两行字号相差超过这一比例：不是同一段（正文之后的脚注）
SIZE_CHANGE = 0.15
# 脚注的字比正文小：不到正文字号的这一比例
FOOTNOTE_SIZE_RATIO = 0.95
# 脚注号与脚注文字之间至多空这么多个字宽
NOTE_NUMBER_GAP_CHARS = 3.0
# 半角字（数字、字母）约占这么多个字宽
NARROW_CHAR_SHARE = 0.55
# 两行之间的空白比这一栏通常的行距多出行高的这么多倍：分段（Word 的 1.5 倍行距本身不算分段）
PARAGRAPH_GAP = 0.6
# 分栏：栏间空白要在页宽的这一段里，两边各至少这么多行
GUTTER_RANGE = (0.3, 0.7)
MIN_COLUMN_LINES = 3
# 两栏正文：每栏的行（中位数）至少填满栏宽的这一比例，窄栏至少是宽栏的这一比例；表格的窄单元格、
# 「名词｜解释」式的两列表不算分栏，按 PDFium 的顺序（Word 逐行写表格）读
PROSE_COLUMN_FILL = 0.6
COLUMN_WIDTH_RATIO = 0.6
# 表格：同一行里的几段文字之间至少隔这么多个字宽；表格至少这么多行；表头最多这么多行
CELL_GAP_CHARS = PIECE_GAP_CHARS
MIN_TABLE_ROWS = 2
# 表题只是「单位：元 币种：人民币」时，上面最多这么多行、每行最多这么多字的短行算表名（「合并利润表」「2020年1—12月」）
MAX_TABLE_TITLE_LINES = 3
MAX_TABLE_TITLE_CHARS = 20
_UNIT_ONLY = re.compile(r"^\s*单位\s*[:：]")
# 行标签写到离下一列的文字不到这么多个字宽：标签在单元格里写满、折行了
WRAPPED_LABEL_GAP_CHARS = 3.5
MAX_TABLE_HEADER_ROWS = 6  # 窄列里的表头一两个字一行（「本期/比上/年同/期增/减/(%)」）
# 表格中间没有数字的短行（折行的行标签、竖向合并的单元格）：最多连着这么多行，每段不超过这么多字
MAX_FRAGMENT_ROWS = 3
MAX_FRAGMENT_CHARS = 30
# 只有一段文字的表头行（折下来的半个表头）不超过这么多字
MAX_WRAPPED_HEADING_CHARS = 12
# 表头的中点离两列的交界比离最近一列的中点近得多（不到这一比例）：是合并在两列上的表头
BORDER_CLOSENESS = 0.8
# 表格里相邻两行的间距不超过行高的这么多倍
TABLE_ROW_GAP = 2.5

_PAGE_NUMBER = re.compile(r"^[-—–\s·]*(?:第\s*)?\d{1,4}\s*(?:页|/\s*\d{1,4})?[-—–\s·]*$|^[-—–\s]*[ivxlcIVXLC]{1,6}[-—–\s]*$")
_DIGITS = re.compile(r"\d+")
# 英文单词跨行时补一个空格；数字跨行（「10.\n2%」「1\n0.2%」：有的排版程序在数字中间折行）直接接上
_VALUE = re.compile(r"^[-−+]?\d[\d,]*(?:\.\d+)?\s*[%‰]?$")
_DATE_LIKE = re.compile(r"\d\s*(?:年|月|日|季)")
_SENTENCE_END = "。；;：:！？!?"
# 一行开头不能拆开的一段：数字带单位符号或一个英文词，或者一个字；后面跟着不能放在行首的标点
_LEADING = re.compile(r"^(?:[-−+]?[0-9０-９][0-9０-９.,，%％‰]*|[A-Za-z][A-Za-z'-]*|.)[，。；：、）》”’,.;:)%]*")
_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")


@dataclass
class _Page:
    """One page as read: its pieces of text in reading order, PDFium's plain text of it, and what it holds."""

    number: int
    lines: list[Line]
    plain: str
    width: float
    height: float
    has_image: bool
    garbage: bool = False


def read_pdf(path: Path) -> Extracted:
    """The PDF's text with page locations; UnreadableFile for an encrypted, damaged, scanned or undecodable file."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableFile("PDF 已加密，需要密码才能打开；请先去掉密码再添加") from error
        raise UnreadableFile("PDF 已损坏或不是有效的 PDF 文件") from error
    try:
        if len(pdf) > MAX_PAGES:
            raise UnreadableFile(f"PDF 有 {len(pdf)} 页，超过上限 {MAX_PAGES} 页；请拆分后再添加")
        pages = [_read_page(pdf, i) for i in range(len(pdf))]
        outline = _outline(pdf)
        metadata_title = (pdf.get_metadata_value("Title") or "").strip()
        published = published_from_pdf_metadata(pdf.get_metadata_value("CreationDate"), pdf.get_metadata_value("ModDate"))
    finally:
        pdf.close()
    garbage = [page.number for page in pages if page.garbage]
    if garbage and len(garbage) == sum(1 for page in pages if page.plain.strip()):
        raise UnreadableFile(
            "PDF 的文字读出来是乱码（字体没有 Unicode 映射，或用了私用区字形）；"
            "请用原文件重新导出带文字的 PDF，或做文字识别（OCR）后再添加"
        )
    running = _running(pages)
    redone = []
    for page in pages:
        body = _without_running(page.lines, running)
        laid_out = _reading_order(_rejoined(_with_tables(body, page.number)), page.width)
        kept = {id(line) for line in body}
        # 页眉页脚、脚注号是有意拿掉的：自检时算作读到了
        dropped = [line.text for line in page.lines if id(line) not in kept] + [line.marks for line in page.lines if line.marks]
        check = check_page(page.plain, [line.text + line.marks for line in page.lines], "\n".join(dropped + [_written(laid_out)]))
        if not check.ok:
            # 版面读出来的与 PDFium 的原文对不上（丢了、改了数字或字）：这一页改用原文，并告诉用户
            redone.append((page.number, check))
            laid_out = _reading_order(_rejoined([replace(line, verbatim=True) for line in body]), page.width)
        page.lines = laid_out
    notes = []
    if redone:
        notes.append(_redone_note(redone))
    if garbage:
        notes.append(f"第{_page_list(garbage)}页的文字是乱码（字体没有 Unicode 映射），这些页未读入")
    scanned = [page.number for page in pages if not page.plain.strip() and page.has_image]  # 空白页不算扫描页
    if scanned:
        notes.append(f"第{_page_list(scanned)}页没有文字层（可能是扫描页），这些页未读入；需要的话先做文字识别（OCR）")
    lines = [line for page in pages for line in page.lines]
    if not any(line.text.strip() or line.table for line in lines):
        raise UnreadableFile("PDF 没有文字层（可能是扫描件）；请先做文字识别（OCR）再添加")
    builder = TextBuilder()
    _assemble(builder, lines, outline)
    title = _title(metadata_title, pages[0] if pages else None)
    # 没有可用的标题：ingest 取第一行；元数据里的日期由 ingest 拿正文核对
    return builder.extracted(title, pages=len(pages), notes=tuple(notes), published=published)


def _read_page(pdf: pdfium.PdfDocument, index: int) -> _Page:
    page = pdf[index]
    try:
        width, height = page.get_size()
        lines, plain = read_page(page, index + 1)
        has_image = not plain.strip() and any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
    finally:
        page.close()
    if is_garbage(plain):
        return _Page(index + 1, [], plain, width, height, has_image, garbage=True)
    band = MARGIN_BAND_POINTS / height  # 页边距是绝对长度：横排页（高 595 磅）的页脚离边的比例比竖排页大
    for line in lines:
        line.bottom, line.top = line.bottom / height, line.top / height  # 上下位置记成页高的比例，页眉页脚好比
        line.margin_band = band
    return _Page(index + 1, lines, plain, width, height, has_image)


def _rejoined(lines: list[Line]) -> list[Line]:
    """Pieces of one PDFium line that no table took, joined again with a space (a list number and its text, a
    label and its value): the paragraph and heading rules read whole lines."""
    merged: list[Line] = []
    for line in sorted(lines, key=lambda line: line.order):
        last = merged[-1] if merged else None
        if last is not None and last.table is None and line.table is None and last.source_line == line.source_line:
            if _is_list_marker(last.text):
                last.hang = line.left  # 悬挂缩进：条目折行后的文字与编号后的文字对齐
            last.text += " " + line.text
            last.left, last.right = min(last.left, line.left), max(last.right, line.right)
            last.bottom, last.top = min(last.bottom, line.bottom), max(last.top, line.top)
        else:
            merged.append(replace(line))
    return merged


def _written(lines: list[Line]) -> str:
    """Everything the page gives the index (paragraph text, table headings and facts) and its running lines: what
    the self-check compares with PDFium's text."""
    parts = []
    for line in lines:
        if line.table is not None:
            heading, facts = table_facts(line.table)
            parts += [heading] + [fact.text for fact in facts]
        else:
            parts.append(line.text)
    return "\n".join(parts)


def _redone_note(redone: list[tuple[int, PageCheck]]) -> str:
    numbers = [number for number, _ in redone]
    lost = [figure for _, check in redone for figure in check.missing_figures + check.extra_figures]
    example = f"（如「{'」「'.join(lost[:3])}」）" if lost else ""
    return f"第{_page_list(numbers)}页按版面读出的文字与 PDF 自带的文字对不上{example}，这些页已改用 PDF 自带的文字（表格未拆成单元格）"


def _with_tables(lines: list[Line], page: int) -> list[Line]:
    """The page's lines with every table found among them replaced by one line that carries the table.

    A table is a run of rows (lines sharing a baseline) that each hold several pieces of text set apart by wide
    gaps, with at least one number among them (two columns of prose give two long pieces and no number), the
    short rows between them (a row label wrapped over lines, a merged cell alone on its baseline), the text rows
    just above it (its headers, wrapped too) and a caption line above those (「表2 ……（单位：万吨）」)."""
    rows = _rows(lines)
    tables, taken = [], set()
    i = 0
    while i < len(rows):
        if not _is_table_row(rows[i]):
            i += 1
            continue
        end = i
        while (following := _next_table_row(rows, end)) is not None:
            end = following
        if end + 1 < len(rows) and _continues_label(rows[end], rows[end + 1]):
            end += 1  # 最后一行的行标签折到了表格下面一行（「经营活动产生的现」「金流量净额」）
        start = i
        values_from = rows[i][1].left  # 第一行数据里数值列开始的地方
        while start > 0 and i - start < MAX_TABLE_HEADER_ROWS and _close(rows[start - 1], rows[start]):
            if is_caption(_row_text(rows[start - 1])):
                break  # 「单位：元 币种：人民币」分成两段也是表题，不是表头
            if _is_header_row(rows[start - 1], values_from):
                start -= 1  # 表头：上面几行（折行的表头一格一行）
            elif start > 1 and (_is_fragment(rows[start - 1]) or _is_group_label(rows[start - 1])) and not _is_numbered(rows[start - 1]) and len(rows[start - 2]) >= 2 and _is_header_row(rows[start - 2], values_from) and _close(rows[start - 2], rows[start - 1]):
                start -= 2  # 行标签那一列的表头居中，自成一行，夹在两行表头之间
            else:
                break
        if end - start + 1 >= MIN_TABLE_ROWS and any(len(row) >= 2 for row in rows[start : end + 1]):
            caption, titled = "", 0
            if start > 0 and is_caption(_row_text(rows[start - 1])):
                start -= 1
                caption = _row_text(rows[start])
                # 表题只是「单位：元」时，紧挨着的上面一两行短标题（「合并利润表」「2020年1—12月」）是表名
                unit_only = _UNIT_ONLY.match(caption) is not None
                while unit_only and titled < MAX_TABLE_TITLE_LINES and start > 0 and _is_table_title(rows[start - 1], rows[start]):
                    start -= 1
                    titled += 1
                    caption = f"{_row_text(rows[start])} {caption}"
            block = rows[start + titled + (1 if caption else 0) : end + 1]
            tables.append(_table_line(block, caption, page, rows[start : end + 1]))  # 没有表题：TextBuilder 取前面的题注段落或「表N」
            taken.update(id(line) for row in rows[start : end + 1] for line in row)
        i = end + 1
    return [line for line in lines if id(line) not in taken] + tables


def _is_group_label(row: list[Line]) -> bool:
    """A row label that heads a group of rows (「流动资产：」), alone between a table's header and its values."""
    text = _row_text(row)
    return len(row) == 1 and len(text) <= MAX_FRAGMENT_CHARS and text[-1] in "：:"


def _is_table_title(row: list[Line], below: list[Line]) -> bool:
    """A short line of its own right above a table's unit line: the table's name or period, not a sentence or a
    numbered heading."""
    text = _row_text(row)
    return len(row) == 1 and len(text) <= MAX_TABLE_TITLE_CHARS and _close(row, below) and not _is_numbered(row) and text[-1] not in _SENTENCE_END


def _next_table_row(rows: list[list[Line]], end: int) -> int | None:
    """The next row of the table that ends at `end`: the next table row, reached directly or over a few short
    fragment rows, every step close to the one before."""
    for j in range(end + 1, min(end + 2 + MAX_FRAGMENT_ROWS, len(rows))):
        if not _close(rows[j - 1], rows[j]):
            return None
        if _is_table_row(rows[j]):
            return j
        if not _is_fragment(rows[j]):
            return None
    return None


def _continues_label(row: list[Line], below: list[Line]) -> bool:
    """Whether `below` is the rest of `row`'s wrapped row label: a short fragment alone on the next baseline,
    under the label, whose text reached the next column."""
    label, size = row[0], row[0].size
    return (
        len(row) >= 2
        and len(below) == 1
        and _close(row, below)
        and _is_fragment(below)
        and abs(below[0].left - label.left) < size
        and row[1].left - label.right < WRAPPED_LABEL_GAP_CHARS * size
    )


def _is_fragment(row: list[Line]) -> bool:
    """Short text that is part of a table cell on a baseline of its own: not a caption, a numbered line or a
    sentence."""
    text = _row_text(row)
    return (
        all(len(line.text.strip()) <= MAX_FRAGMENT_CHARS for line in row)
        and not is_caption(text)
        and not _is_list_marker(row[0].text)
        and text[-1] not in _SENTENCE_END
    )


def _is_header_row(row: list[Line], values_from: float) -> bool:
    """A row of column headings (several pieces, or one short wrapped piece of a heading over the value columns),
    not a caption, a numbered line (「1. 利润表」 set apart, 「三、 基本情况简介」) or a sentence."""
    wrapped = len(row[0].text.strip()) <= MAX_WRAPPED_HEADING_CHARS and row[0].right > values_from
    return (len(row) >= 2 or wrapped) and not _is_numbered(row) and _is_fragment(row)


def _is_numbered(row: list[Line]) -> bool:
    """A row that starts with a list number (「三、 基本情况简介」): a numbered heading, never a table's header."""
    return LIST_MARKER.match(row[0].text.strip()) is not None


def _is_list_marker(text: str) -> bool:
    """A piece that is only a list number (「一、」「1.」「（三）」): set apart by a gap, yet not a table column."""
    marker = LIST_MARKER.match(text.strip())
    return marker is not None and marker.end() == len(text.strip())


def _row_text(row: list[Line]) -> str:
    return " ".join(line.text.strip() for line in row)


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by baseline, top to bottom, each row left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: -item.top):
        if rows and _same_baseline(rows[-1][0], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda item: item.left) for row in rows]


def _is_table_row(row: list[Line]) -> bool:
    if len(row) < 2:
        return False
    size = max(line.size for line in row) or 1.0
    if any(b.left - a.right < CELL_GAP_CHARS * size for a, b in zip(row, row[1:])):
        return False
    return any(_is_value(line.text) for line in row[1:])


def _is_value(cell: str) -> bool:
    """A cell that holds a value: a figure written with Arabic digits (「1,234.5」「6.8%」「18753亿元」), not a
    heading that reads like a number (「第一季度」「（1-3月份）」「2020年」)."""
    cell = unicodedata.normalize("NFKC", cell.strip())
    return bool(_VALUE.match(cell)) or (is_numeric(cell) and any(char.isdigit() for char in cell) and not _DATE_LIKE.search(cell))


def _close(upper: list[Line], lower: list[Line]) -> bool:
    height = max(line.top - line.bottom for line in upper + lower)
    return min(line.bottom for line in upper) - max(line.top for line in lower) <= TABLE_ROW_GAP * height


def _table_line(block: list[list[Line]], caption: str, page: int, covered: list[list[Line]]) -> Line:
    """One line standing for the table: its cells placed in the columns of its fullest row."""
    centres = _column_centres(block)
    grid, label_ends = [], []
    next_column = float("inf")  # 标签列右边第一列的文字最靠左处：标签列的单元格到此为止
    for row in block:
        cells = [""] * len(centres)
        label_end = None
        for line in row:
            columns = _columns_under(line, centres)
            for c in columns:  # 合并的表头盖住几列，就写进几列
                cells[c] = f"{cells[c]} {line.text.strip()}".strip()
            if columns == [0]:
                label_end = (line.left, line.right, line.size)
            elif columns[0] >= 1:
                next_column = min(next_column, line.left)
        grid.append(tuple(cells))
        label_ends.append(label_end)
    # 行标签写到了单元格的右边（离下一列不到几个字宽）：标签折行了，下一行接着写
    opens = [end is not None and next_column - end[1] < WRAPPED_LABEL_GAP_CHARS * end[2] for end in label_ends]
    # 接着上一行写的标签：与上一行的标签左对齐，且上一行写满了（Word 把数值放在折行标签的第一行）
    continues = [False] + [
        opens[r - 1] and below is not None and abs(below[0] - label_ends[r - 1][0]) < below[2] / 2
        for r, below in enumerate(label_ends[1:], start=1)
    ]
    # 与上下行的标签左对齐、没写满、也不接上一行的：本身没有数值的一行；不对齐的（居中的合并单元格）接下一行
    alone = [
        end is not None and not opens[r] and not continues[r]
        and any(0 <= n < len(label_ends) and label_ends[n] is not None and abs(label_ends[n][0] - end[0]) < end[2] / 2 for n in (r - 1, r + 1))
        for r, end in enumerate(label_ends)
    ]
    grid = _wraps_joined(grid, continues, alone)
    everything = [line for row in covered for line in row]
    return Line(
        "", min(line.left for line in everything), min(line.bottom for line in everything), max(line.right for line in everything),
        max(line.top for line in everything), max(line.size for line in everything), False, page,
        order=min(line.order for line in everything), source_line=min(line.source_line for line in everything),
        table=Table(tuple(grid), caption, _cell_name, page),
    )


def _column_centres(block: list[list[Line]]) -> list[float]:
    """The middle of each column: of its value in the fullest row, moved to its heading's middle (numbers sit to
    the right of their cell, headings in its middle). Headings are taken from the heading row just above the
    values, then, for columns still without one, from the rows above it (a heading that spans two heading rows)."""
    fullest = max(block, key=len)
    values = [(line.left + line.right) / 2 for line in fullest]
    centres = list(values)
    first_values = next((r for r, row in enumerate(block) if any(_is_value(line.text) for line in row[1:])), 0)
    headed: set[int] = set()
    for headings in reversed(block[:first_values]):
        nearest = [min(range(len(values)), key=lambda c: abs((line.left + line.right) / 2 - values[c])) for line in headings]
        for line, c in zip(headings, nearest):
            if nearest.count(c) == 1 and c not in headed:
                centres[c] = (line.left + line.right) / 2
                headed.add(c)
    return centres


def _wraps_joined(grid: list[tuple[str, ...]], continues: list[bool], alone: list[bool]) -> list[tuple[str, ...]]:
    """The grid with the lines of a wrapped cell joined. The heading rows above the first row of values become one
    row. A row without values joins the row above when its label `continues` that row's label (Word puts the
    values on a wrapped label's first line); it stands `alone` when its label is a whole one in line with the
    others (「其他非流动资产」: a row with no values); else it joins the row of values below it (a label wrapped
    before its values, a merged cell centred over its rows)."""
    def has_values(row: tuple[str, ...]) -> bool:
        return any(_is_value(cell) for cell in row[1:])

    first = next((r for r, row in enumerate(grid) if has_values(row)), None)
    if first is None:
        return grid
    joined = [_cellwise(grid[:first])] if first else []
    waiting: list[tuple[str, ...]] = []
    for r in range(first, len(grid)):
        row = grid[r]
        if has_values(row):
            joined.append(_cellwise(waiting + [row]))
            waiting = []
        elif continues[r] and not waiting and joined:
            joined[-1] = _cellwise([joined[-1], row])
        elif alone[r] and not waiting:
            joined.append(row)
        else:
            waiting.append(row)
    if waiting:
        joined[-1] = _cellwise([joined[-1]] + waiting)
    return joined


def _cellwise(rows: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Rows written as one, column by column: the lines of each cell in order, a repeated one once. Lines of one
    wrapped cell join directly (「常住人口（万」「人）」); a heading merged over several columns keeps a space before
    the heading under it (「年均浓度 氨氮」)."""
    cells = []
    for c, parts in enumerate(zip(*rows)):
        cell, above = "", None  # above: the row the cell's last line came from
        for r, part in enumerate(parts):
            if not part or part == cell or cell.endswith(part):
                continue
            spanning = above is not None and any(0 <= n < len(rows[above]) and rows[above][n] == rows[above][c] for n in (c - 1, c + 1))
            wrapped = cell and is_cjk(cell[-1]) and is_cjk(part[0]) and not spanning
            cell += part if wrapped or not cell else " " + part
            above = r
        cells.append(cell)
    return tuple(cells)


def _columns_under(line: Line, centres: list[float]) -> list[int]:
    """The columns a piece of text stands over: every column whose middle it covers, when it covers three or more
    (a title row over the table); else the column nearest its middle, or both columns of a border it is centred on
    (a heading merged over two; a wide heading of one narrow column may reach over its neighbour's middle)."""
    covered = [c for c, centre in enumerate(centres) if line.left <= centre <= line.right]
    if len(covered) >= 3:
        return covered
    middle = (line.left + line.right) / 2
    nearest = min(range(len(centres)), key=lambda c: abs(middle - centres[c]))
    borders = [(c, (centres[c] + centres[c + 1]) / 2) for c in range(len(centres) - 1)]
    if borders and not _is_value(line.text):  # 数值只属于一列
        border, x = min(borders, key=lambda item: abs(middle - item[1]))
        if abs(middle - x) < abs(middle - centres[nearest]) * BORDER_CLOSENESS:
            return [border, border + 1]
    return [nearest]


def _cell_name(row: int, column: int) -> str:
    return f"第{row + 1}行第{column + 1}列"


def _same_baseline(a: Line, b: Line) -> bool:
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap > 0.5 * min(a.top - a.bottom, b.top - b.bottom)


def _reading_order(lines: list[Line], width: float) -> list[Line]:
    """PDFium's order, unless a two-column stretch is drawn out of order (the right column first, or line by line
    across both): then, between lines that span both columns (top to bottom), the left column before the right."""
    lines = sorted(lines, key=lambda line: line.order)
    gutter = _gutter(lines, width)
    if gutter is None:
        return lines
    for line in lines:
        line.column = 0 if line.left < gutter < line.right else 1 if line.right <= gutter else 2
    if _stream_reads_columns(lines) or not _prose_columns(lines, gutter):
        return lines
    ordered, left, right = [], [], []
    for line in sorted(lines, key=lambda line: -line.top):
        if line.column == 0:  # 横跨两栏的行（标题、通栏段落）隔开上下两段分栏
            ordered += _in_order(left) + _in_order(right) + [line]
            left, right = [], []
        else:
            (left if line.column == 1 else right).append(line)
    return ordered + _in_order(left) + _in_order(right)


def _stream_reads_columns(lines: list[Line]) -> bool:
    """Whether the stream reads each column top to bottom, left column first: every jump back up the page goes
    from the left column to the right one (page headers and footers aside)."""
    body = [line for line in lines if line.column and not _in_margin(line)]
    for upper, lower in zip(body, body[1:]):
        if lower.top > upper.top + (upper.top - upper.bottom) / 2 and not (upper.column == 1 and lower.column == 2):
            return False
    return True


def _prose_columns(lines: list[Line], gutter: float) -> bool:
    """Whether both sides of the gutter read as columns of running text: lines that fill their column, and columns
    of about the same width (not a table's cells, not a label column beside a text column)."""
    left = [line for line in lines if line.column == 1 and not _in_margin(line)]
    right = [line for line in lines if line.column == 2 and not _in_margin(line)]
    if not left or not right:
        return False
    left_width = gutter - min(line.left for line in left)
    right_width = max(line.right for line in right) - gutter
    if min(left_width, right_width) < COLUMN_WIDTH_RATIO * max(left_width, right_width):
        return False
    return (
        _median([(line.right - line.left) / left_width for line in left]) >= PROSE_COLUMN_FILL
        and _median([(line.right - line.left) / right_width for line in right]) >= PROSE_COLUMN_FILL
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _in_order(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda line: line.order)


def _gutter(lines: list[Line], width: float) -> float | None:
    """An x in the middle of the page with a two-column stretch beside it: between lines that cross it (a heading,
    a full-width paragraph, a table), enough lines on both sides and none across."""
    low, high = GUTTER_RANGE
    top_down = sorted(lines, key=lambda line: -line.top)
    for x in sorted((width * (low + (high - low) * k / 40) for k in range(41)), key=lambda x: abs(x - width / 2)):
        on_left = on_right = 0
        for line in top_down + [None]:
            if line is None or line.left < x < line.right:
                if on_left >= MIN_COLUMN_LINES and on_right >= MIN_COLUMN_LINES:
                    return x
                on_left = on_right = 0
            elif line.right <= x:
                on_left += 1
            else:
                on_right += 1
    return None


def _in_margin(line: Line) -> bool:
    return line.top > 1 - line.margin_band or line.bottom < line.margin_band


def _running_keys(line: Line, company: int, outermost: bool) -> tuple[str, ...]:
    """What makes a margin line the same on every page: its text with digits aside; for the page's topmost or
    bottommost line, alone on its baseline, also its place (a header that changes with the sheet or the chapter,
    such as the sheet name Calc prints, 「区县」 then 「月度」, stands where the others stood). A row of three or more
    pieces is a table's heading row repeated on each page, not a header."""
    if company >= MAX_RUNNING_COMPANY:
        return ()
    text = _DIGITS.sub("#", "".join(line.text.split()))
    if company or not outermost:
        return (text,)
    return text, f"@{round(line.top * RUNNING_PLACE_BINS)},{round((line.left + line.right) / 2 / RUNNING_CENTRE_POINTS)}"


def _margin_keys(lines: list[Line]) -> dict[int, tuple[str, ...]]:
    """id(line) -> its running keys, for the page's lines in the top or bottom margin."""
    margin = [line for line in lines if _in_margin(line)]
    outermost = {id(max(lines, key=lambda line: line.top)), id(min(lines, key=lambda line: line.bottom))} if lines else set()
    return {
        id(line): _running_keys(line, sum(1 for other in margin if other is not line and _same_baseline(other, line)), id(line) in outermost)
        for line in margin
    }


def _running(pages: list[_Page]) -> set[str]:
    """The margin lines (digits aside) that repeat on many pages, or stand at the same outer place on them:
    running headers and footers. A place must repeat on at least MIN_PLACE_PAGES pages."""
    repeated = Counter(key for page in pages for key in {key for keys in _margin_keys(page.lines).values() for key in keys})
    enough = max(2, REPEATED_ON_SHARE * len(pages))
    return {key for key, count in repeated.items() if count >= (max(enough, MIN_PLACE_PAGES) if key.startswith("@") else enough)}


def _without_running(lines: list[Line], running: set[str]) -> list[Line]:
    """The page's pieces of text except page numbers and running headers and footers. A number in the margin with
    text right after it on its baseline is not a page number: in small type it is a footnote's number (「1 粮食总产量
    按……」), taken out like a footnote mark, the text after it opening the footnote; in body type it stays."""
    margin = _margin_keys(lines)
    body_size = _body_size(lines)
    kept = []
    for line in lines:
        if id(line) in margin and _PAGE_NUMBER.match(line.text.strip()):
            labelled = _labelled_by(line, lines)
            if labelled is None or labelled.size >= body_size * FOOTNOTE_SIZE_RATIO:
                if labelled is None:
                    continue  # 页码
                kept.append(line)  # 正文字号的编号（页脚处的列表项）：照原样留着
                continue
            labelled.opens_note, labelled.marks = True, line.text.strip() + labelled.marks
            continue
        if id(line) in margin and any(key in running for key in margin[id(line)]):
            continue
        kept.append(line)
    return kept


def _labelled_by(number: Line, lines: list[Line]) -> Line | None:
    """The text that starts just after a number on its baseline, in type of its size, if any."""
    for line in lines:
        near = 0 <= line.left - number.right <= NOTE_NUMBER_GAP_CHARS * max(number.size, 1.0)
        if line is not number and near and _same_baseline(line, number) and abs(line.size - number.size) <= SIZE_CHANGE * line.size:
            return line
    return None


def _page_list(numbers: list[int], shown: int = 10) -> str:
    """「3、7、9」, or the first ones and a count when there are many."""
    listed = "、".join(map(str, numbers[:shown]))
    return listed if len(numbers) <= shown else f"{listed}等 {len(numbers)} "


def _outline(pdf: pdfium.PdfDocument) -> dict[int, list[tuple[str, int]]]:
    """Bookmarks by page: {page: [(title, level 1..)]}."""
    outline: dict[int, list[tuple[str, int]]] = {}
    try:
        for item in pdf.get_toc():
            title, dest = _squeeze(item.get_title()), item.get_dest()
            page = dest.get_index() if dest is not None else None
            if title and page is not None:
                outline.setdefault(page + 1, []).append((title, item.level + 1))
    except pdfium.PdfiumError:
        return {}
    return outline


def _assemble(builder: TextBuilder, lines: list[Line], outline: dict[int, list[tuple[str, int]]]) -> None:
    body_size = _body_size(lines)
    body_bold = _body_bold(lines)
    sizes = sorted({line.size for line in lines if line.size >= body_size * HEADING_SIZE_RATIO}, reverse=True)
    pieces: list[tuple[str, int | None]] = []
    previous: Line | None = None
    edges = _column_edges(lines)
    spacing = _line_spacing(lines)
    notes = _footnotes(lines, body_size)
    moved = {id(line) for note in notes.values() for line in note}
    cited: list[tuple[int, str]] = []  # the footnotes the paragraph being written refers to

    def flush(pieces: list[tuple[str, int | None]]) -> None:
        """The paragraph, then the footnotes it refers to (a footnote is read after its paragraph, not at the foot)."""
        builder.paragraph(pieces)
        for key in cited:
            note = notes.pop(key, None)
            if note:
                builder.paragraph([("".join(line.text.strip() for line in note), note[0].page)])
        cited.clear()

    last_table: Table | None = None  # the table just written, with nothing after it yet
    for line in lines:
        if id(line) in moved:
            continue
        cited.extend((line.page, mark) for mark in line.marks)
        if line.table is not None:
            flush(pieces)
            table = line.table
            # 接着上一页的表（表头在每页重复，表题只在第一页）：同一张表，事实接在它的表题下
            continued = not table.caption and last_table is not None and last_table.page != table.page
            if continued:
                table = replace(table, caption=last_table.caption)
            builder.table(table, continued=continued)
            pieces, previous, last_table = [], None, table
            continue
        last_table = None
        text = line.text.strip()
        level = _heading_level(line, text, outline, body_size, body_bold, sizes)
        if level:
            flush(pieces)
            pieces, previous = [], None
            builder.heading(level, text, line.page)
            continue
        if previous is None or _starts_paragraph(previous, line, edges, spacing):
            mine = cited.pop() if line.marks and cited else None  # 这一行引的脚注属于新的一段
            flush(pieces)
            cited.extend([mine] if mine else [])
            pieces = [(text, line.page)]
        else:
            # 按原文读的页：两行的数字从不接成一个（版面没读通，不知道是不是一个数被折了行）
            glue = " " if _needs_space(pieces[-1][0], text, _is_full(previous, edges) and not line.verbatim) else ""
            if pieces[-1][1] == line.page:
                pieces[-1] = (pieces[-1][0] + glue + text, line.page)
            else:
                pieces.append((glue + text, line.page))
        previous = line
    flush(pieces)


def _footnotes(lines: list[Line], body_size: float) -> dict[tuple[int, str], list[Line]]:
    """(page, mark) -> the lines of that footnote: a line in smaller type that opens with a footnote mark, and the
    lines of its type after it; only footnotes that some line of the page refers to."""
    notes: dict[tuple[int, str], list[Line]] = {}
    current: list[Line] | None = None
    for line in lines:
        if line.table is None and line.opens_note and line.size < body_size * FOOTNOTE_SIZE_RATIO:
            current = notes.setdefault((line.page, line.marks[:1]), [])
            current.append(line)
        elif current is not None and line.table is None and not line.marks and line.page == current[0].page and abs(line.size - current[0].size) < SIZE_CHANGE * line.size:
            current.append(line)
        else:
            current = None
    referred = {(line.page, mark) for line in lines if not line.opens_note for mark in line.marks}
    return {key: note for key, note in notes.items() if key in referred}


def _heading_level(line: Line, text: str, outline, body_size: float, body_bold: bool, sizes: list[float]) -> int:
    if outline:
        for title, level in outline.get(line.page, ()):
            squeezed = _squeeze(text)
            if squeezed and (squeezed == title or (len(squeezed) >= 4 and title.startswith(squeezed))):
                return level
        return 0
    if len(text) > MAX_HEADING_CHARS or text[-1] in "。；;，,":
        return 0
    if line.size in sizes:
        return sizes.index(line.size) + 1
    if line.bold and not body_bold:
        return len(sizes) + 1
    return 0


def _needs_space(before: str, after: str, full: bool) -> bool:
    """Whether two lines of a paragraph join with a space: English words do; two numbers do unless the first line
    is full (a number the page broke, 「增长1」 / 「0.2%」, joins again; 「…571.40」 / 「18,263…」 are two numbers)."""
    if _LATIN_END.search(before) and _LATIN_START.match(after):
        return True
    return before[-1:].isdigit() and after[:1].isdigit() and not full


def _is_full(line: Line, edges: dict) -> bool:
    """Whether the line reaches the right edge of its column (within a character)."""
    return edges[(line.page, line.column)][1] - line.right <= max(line.size, 1.0)


def _starts_paragraph(previous: Line, line: Line, edges: dict, spacing: dict) -> bool:
    if previous.text.rstrip()[-1:] in "-−" and line.text.lstrip()[:1].isdigit():
        return False  # 负号折在了上一行末尾（「-」/「2,300,423,015.02」）：是一个数
    left, right = edges[(line.page, line.column)]
    previous_left, previous_right = edges[(previous.page, previous.column)]
    size = max(line.size, 1.0)
    room = previous_right - previous.right
    if room > SHORT_LINE_CHARS * size and room > _leading_width(line.text, size):
        return True  # 上一行没写满，而下一行开头放得下：段落在那里结束（放不下的数字被挤到下一行，不算）
    if previous.hang is not None and abs(line.left - previous.hang) < INDENT_CHARS * size / 2:
        line.hang = previous.hang  # 编号条目折下来的行，与编号后的文字对齐：同一段
    elif line.left - left > INDENT_CHARS * size:
        return True  # 首行缩进
    if abs(line.size - previous.size) > SIZE_CHANGE * max(line.size, previous.size):
        return True  # 字号变了（脚注、图注）：另起一段
    if LIST_MARKER.match(line.text.strip()):
        return True  # 编号开头（「1．」「（三）」）：新的一条
    if previous.page == line.page:
        gap = (previous.bottom - line.top) * 1000  # 页高的千分之几，与行高比
        height = (line.top - line.bottom) * 1000
        return gap - spacing[(line.page, line.column)] * 1000 > PARAGRAPH_GAP * height
    return False


def _leading_width(text: str, size: float) -> float:
    """About how wide the line's first unbreakable stretch is (a number with its unit sign, a Latin word, or one
    Chinese character) with the punctuation that may not begin a line after it."""
    lead = _LEADING.match(text.strip())
    stretch = lead.group() if lead else text.strip()[:1]
    return sum(size * (1.0 if is_cjk(char) else NARROW_CHAR_SHARE) for char in stretch)


def _line_spacing(lines: list[Line]) -> dict:
    """(page, column) -> the usual blank between one line and the next there (the median), as a share of the page."""
    gaps: dict = {}
    for upper, lower in zip(lines, lines[1:]):
        if upper.table is None and lower.table is None and (upper.page, upper.column) == (lower.page, lower.column):
            gap = upper.bottom - lower.top
            if gap >= 0:
                gaps.setdefault((lower.page, lower.column), []).append(gap)
    spacing = {key: sorted(values)[len(values) // 2] for key, values in gaps.items()}
    return {key: spacing.get(key, 0.0) for key in {(line.page, line.column) for line in lines}}


def _column_edges(lines: list[Line]) -> dict:
    """(page, column) -> (leftmost, rightmost) x of its lines. A full-width column reaches at least the usual right
    edge of the document's pages (a page of a few short lines does not make them full lines)."""
    edges: dict = {}
    for line in lines:
        key = (line.page, line.column)
        low, high = edges.get(key, (line.left, line.right))
        edges[key] = (min(low, line.left), max(high, line.right))
    page_rights = sorted(high for (_, column), (_, high) in edges.items() if column == 0)
    usual_right = page_rights[len(page_rights) // 2] if page_rights else 0.0
    return {key: (low, max(high, usual_right) if key[1] == 0 else high) for key, (low, high) in edges.items()}


def _body_size(lines: list[Line]) -> float:
    counts = Counter()
    for line in lines:
        counts[line.size] += len(line.text)
    return counts.most_common(1)[0][0] if counts else 0.0


def _body_bold(lines: list[Line]) -> bool:
    bold = sum(len(line.text) for line in lines if line.bold)
    return bold > sum(len(line.text) for line in lines) / 2


def _squeeze(text: str) -> str:
    return "".join((text or "").split())


# 元数据里的「标题」常常不是标题：文件名、模板名（Word 的「文档1」、「Microsoft Word - 报告.docx」）
_FILE_NAME_TITLE = re.compile(r"\.(?:docx?|wps|et|pdf|html?|xlsx?|pptx?|txt|rtf|odt|ods|md)$|^Microsoft (?:Word|Excel|PowerPoint) - ", re.IGNORECASE)
_TEMPLATE_TITLE = re.compile(r"^(?:文档|新建.*文档|Document|Untitled|无标题|未命名|Title|标题|PowerPoint 演示文稿|Slide|Book|Sheet|工作簿)\s*\d*$", re.IGNORECASE)
# 用首页最大字号的几行作标题时，最多这么多字
MAX_TITLE_CHARS = 60


def _title(metadata_title: str, first_page: _Page | None) -> str:
    """The metadata title when it is one; else the largest type on the first page; else '' (ingest then takes
    the first line). A metadata title is not one when it is a file or template name, or a fragment: found on the
    first page only inside a longer line (「股份有限公司」 for 「某某股份有限公司2020年年度报告」)."""
    if first_page is None:
        return ""
    candidate = _squeeze(metadata_title)
    starts = [_squeeze(line) for line in first_page.plain.splitlines()]
    fragment = candidate in "".join(starts) and not any(line.startswith(candidate) for line in starts if line)
    if len(candidate) >= 2 and not _FILE_NAME_TITLE.search(metadata_title.strip()) and not _TEMPLATE_TITLE.match(metadata_title.strip()) and not fragment:
        return metadata_title
    return _largest_type(first_page.lines)


def _largest_type(lines: list[Line]) -> str:
    """The first page's lines in its largest type (taken together when the title runs over two lines), when that
    type is larger than the body's."""
    texts = [line for line in lines if line.table is None and line.text.strip()]
    if not texts:
        return ""
    largest = max(line.size for line in texts)
    if largest < _body_size(texts) * HEADING_SIZE_RATIO:
        return ""
    title = ""
    for line in texts:
        if line.size == largest:
            title += line.text.strip()
        elif title:
            break
    return title if len(title) <= MAX_TITLE_CHARS else ""

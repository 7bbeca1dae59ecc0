"""PDF with a text layer -> text with page numbers (pypdfium2: fast, reads CJK fonts, gives font sizes; see
benchmarks/results/pdf_libraries.md for the side-by-side measurement).

Per page, PDFium's text rectangles are the lines. Running headers and footers (the same line at the top or bottom
of many pages, page numbers) are dropped; two-column pages are read left column, then right; lines are joined into
paragraphs, across page breaks too, unless the previous line stops short, the next is indented or a gap opens.
Headings come from the outline (bookmarks) when the file has one, else from larger or bold lines."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from qa.indexing.formats.builder import Extracted, TextBuilder
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.formats.tables import Table, is_caption, is_numeric

MAX_PAGES = 3000
# 页眉页脚：页面上下这一比例之内的行，在这么多页上重复出现（数字不计）
MARGIN_BAND = 0.1
REPEATED_ON_SHARE = 0.4
# 比正文大这么多的短行是标题；标题不超过这么多字
HEADING_SIZE_RATIO = 1.15
MAX_HEADING_CHARS = 40
BOLD_WEIGHT = 600
# 行尾离栏右边超过这么多个字宽：段落到这里结束；行首缩进超过这么多个字宽：新段落开始
SHORT_LINE_CHARS = 2.0
INDENT_CHARS = 1.5
# 两行之间的空白超过行高的这么多倍：分段
PARAGRAPH_GAP = 1.0
# 分栏：栏间空白要在页宽的这一段里，两边各至少这么多行
GUTTER_RANGE = (0.3, 0.7)
MIN_COLUMN_LINES = 3
# 表格：同一行里的几段文字之间至少隔这么多个字宽；表格至少这么多行；表头最多这么多行
CELL_GAP_CHARS = 1.0
MIN_TABLE_ROWS = 2
MAX_TABLE_HEADER_ROWS = 3
# 表格里相邻两行的间距不超过行高的这么多倍
TABLE_ROW_GAP = 2.5

_PAGE_NUMBER = re.compile(r"^[-—–\s·]*(?:第\s*)?\d{1,4}\s*(?:页|/\s*\d{1,4})?[-—–\s·]*$|^[-—–\s]*[ivxlcIVXLC]{1,6}[-—–\s]*$")
_DIGITS = re.compile(r"\d+")
# 英文单词跨行时补一个空格；数字跨行（「10.\n2%」）直接接上
_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")


@dataclass
class _Line:
    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    bold: bool
    page: int  # 1-based
    column: int = 0  # 0: the page's full width (or a one-column page); 1, 2: left, right column
    table: Table | None = None  # a table found on the page stands in the reading order as one "line"


def read_pdf(path: Path) -> Extracted:
    """The PDF's text with page locations; UnreadableFile for an encrypted, damaged or scanned file."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableFile("PDF 已加密，需要密码才能打开；请先去掉密码再添加") from error
        raise UnreadableFile("PDF 已损坏或不是有效的 PDF 文件") from error
    try:
        if len(pdf) > MAX_PAGES:
            raise UnreadableFile(f"PDF 有 {len(pdf)} 页，超过上限 {MAX_PAGES} 页；请拆分后再添加")
        pages = [_page_lines(pdf, i) for i in range(len(pdf))]
        outline = _outline(pdf)
        title = (pdf.get_metadata_value("Title") or "").strip()
        # 没有文字、却有图片的页：多半是扫描页（空白页不算）
        scanned = [number for number, page in enumerate(pages, start=1) if not page and _has_image(pdf, number - 1)]
    finally:
        pdf.close()
    lines = _without_running_lines(pages)
    if not any(line.text.strip() or line.table for line in lines):
        raise UnreadableFile("PDF 没有文字层（可能是扫描件）；请先做文字识别（OCR）再添加")
    builder = TextBuilder()
    _assemble(builder, lines, outline)
    notes = (f"第{_page_list(scanned)}页没有文字层（可能是扫描页），这些页未读入；需要的话先做文字识别（OCR）",) if scanned else ()
    return builder.extracted(title, pages=len(pages), notes=notes)  # 没有元数据标题：ingest 取第一行


def _has_image(pdf: pdfium.PdfDocument, index: int) -> bool:
    page = pdf[index]
    try:
        return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
    finally:
        page.close()


def _page_list(numbers: list[int], shown: int = 10) -> str:
    """「3、7、9」, or the first ones and a count when there are many."""
    listed = "、".join(map(str, numbers[:shown]))
    return listed if len(numbers) <= shown else f"{listed}等 {len(numbers)} "


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[_Line]:
    """The page's text rectangles as lines, in reading order (columns one after the other)."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        lines = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top).replace("\r", "").replace("\n", "")
            if not text.strip():
                continue
            # 行首那个字的字号与粗细（逗号之类的小字形要放宽容差才点得中）
            half = (top - bottom) / 2
            char = textpage.get_index(left + half, bottom + half, half, half)
            found = char is not None and char >= 0
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char) if found else top - bottom
            weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, char) if found else 0
            lines.append(_Line(text, left, bottom, right, top, round(size, 1), weight >= BOLD_WEIGHT, index + 1))
        textpage.close()
    finally:
        page.close()
    lines = _with_tables(_merge_same_line(lines), index + 1)
    for line in lines:
        line.bottom, line.top = line.bottom / height, line.top / height  # 上下位置记成页高的比例，页眉页脚好比
    return _reading_order(lines, width)


def _merge_same_line(lines: list[_Line]) -> list[_Line]:
    """PDFium splits a line where the font changes; pieces on one baseline with a small gap are one line."""
    merged: list[_Line] = []
    for line in sorted(lines, key=lambda item: (-round(item.top), item.left)):
        last = merged[-1] if merged else None
        if last is not None and _same_baseline(last, line) and 0 <= line.left - last.right < max(last.size, line.size):
            last.text += line.text
            last.right = line.right
            last.size = max(last.size, line.size)
            last.bold = last.bold and line.bold
        else:
            merged.append(line)
    return merged


def _with_tables(lines: list[_Line], page: int) -> list[_Line]:
    """The page's lines with every table found among them replaced by one line that carries the table.

    A table is a run of rows (lines sharing a baseline) that each hold several pieces of text set apart by wide
    gaps, with at least one number among them (two columns of prose give two long pieces and no number), plus the
    text rows just above it (its headers) and a caption line above those (「表2 ……（单位：万吨）」)."""
    rows = _rows(lines)
    tables, taken = [], set()
    i = 0
    while i < len(rows):
        if not _is_table_row(rows[i]):
            i += 1
            continue
        end = i
        while end + 1 < len(rows) and _is_table_row(rows[end + 1]) and _close(rows[end], rows[end + 1]):
            end += 1
        start = i
        while start > 0 and i - start < MAX_TABLE_HEADER_ROWS and len(rows[start - 1]) >= 2 and _close(rows[start - 1], rows[start]):
            start -= 1  # 表头：上面几行多段文字
        if end - start + 1 >= MIN_TABLE_ROWS and any(len(row) >= 2 for row in rows[start : end + 1]):
            caption = ""
            if start > 0 and len(rows[start - 1]) == 1 and is_caption(rows[start - 1][0].text):
                start -= 1
                caption = rows[start][0].text.strip()
            block = rows[start + (1 if caption else 0) : end + 1]
            tables.append(_table_line(block, caption or f"第{page}页的表", page, rows[start : end + 1]))
            taken.update(id(line) for row in rows[start : end + 1] for line in row)
        i = end + 1
    return [line for line in lines if id(line) not in taken] + tables


def _rows(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by baseline, top to bottom, each row left to right."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda item: -item.top):
        if rows and _same_baseline(rows[-1][0], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda item: item.left) for row in rows]


def _is_table_row(row: list[_Line]) -> bool:
    if len(row) < 2:
        return False
    size = max(line.size for line in row) or 1.0
    if any(b.left - a.right < CELL_GAP_CHARS * size for a, b in zip(row, row[1:])):
        return False
    return any(is_numeric(line.text.strip()) for line in row[1:])


def _close(upper: list[_Line], lower: list[_Line]) -> bool:
    height = max(line.top - line.bottom for line in upper + lower)
    return min(line.bottom for line in upper) - max(line.top for line in lower) <= TABLE_ROW_GAP * height


def _table_line(block: list[list[_Line]], caption: str, page: int, covered: list[list[_Line]]) -> _Line:
    """One line standing for the table: its cells placed in the columns of its fullest row."""
    columns = [(line.left, line.right) for line in max(block, key=len)]
    grid = []
    for row in block:
        cells = [""] * len(columns)
        for line in row:
            for c in _columns_under(line, columns):  # 合并的表头盖住几列，就写进几列
                cells[c] = f"{cells[c]} {line.text.strip()}".strip()
        grid.append(tuple(cells))
    everything = [line for row in covered for line in row]
    return _Line(
        "", min(line.left for line in everything), min(line.bottom for line in everything), max(line.right for line in everything),
        max(line.top for line in everything), max(line.size for line in everything), False, page,
        table=Table(tuple(grid), caption, _cell_name, page),
    )


def _columns_under(line: _Line, columns: list[tuple[float, float]]) -> list[int]:
    """The columns a piece of text lies over (a merged header spans several); the nearest when it overlaps none."""
    overlapping = [c for c, (left, right) in enumerate(columns) if min(right, line.right) - max(left, line.left) > 0]
    if overlapping:
        return overlapping
    middle = (line.left + line.right) / 2
    return [min(range(len(columns)), key=lambda c: abs((columns[c][0] + columns[c][1]) / 2 - middle))]


def _cell_name(row: int, column: int) -> str:
    return f"第{row + 1}行第{column + 1}列"


def _same_baseline(a: _Line, b: _Line) -> bool:
    overlap = min(a.top, b.top) - max(a.bottom, b.bottom)
    return overlap > 0.5 * min(a.top - a.bottom, b.top - b.bottom)


def _reading_order(lines: list[_Line], width: float) -> list[_Line]:
    """Top to bottom; on a two-column stretch, the left column before the right."""
    lines = sorted(lines, key=lambda line: (-line.top, line.left))
    gutter = _gutter(lines, width)
    if gutter is None:
        return lines
    ordered, left, right = [], [], []
    for line in lines:
        if line.left < gutter < line.right:  # 横跨两栏的行（标题、通栏段落）隔开上下两段分栏
            ordered += left + right + [line]
            left, right = [], []
        elif line.right <= gutter:
            line.column = 1
            left.append(line)
        else:
            line.column = 2
            right.append(line)
    return ordered + left + right


def _gutter(lines: list[_Line], width: float) -> float | None:
    """An x in the middle of the page that no line crosses, with enough lines on both sides."""
    low, high = GUTTER_RANGE
    for x in sorted((width * (low + (high - low) * k / 40) for k in range(41)), key=lambda x: abs(x - width / 2)):
        crossing = sum(1 for line in lines if line.left < x < line.right)
        on_left = sum(1 for line in lines if line.right <= x)
        on_right = sum(1 for line in lines if line.left >= x)
        if on_left >= MIN_COLUMN_LINES and on_right >= MIN_COLUMN_LINES and crossing <= min(on_left, on_right) // 4:
            return x
    return None


def _without_running_lines(pages: list[list[_Line]]) -> list[_Line]:
    """Every line except page numbers and the headers and footers that repeat across pages."""
    def in_margin(line: _Line) -> bool:
        return line.top > 1 - MARGIN_BAND or line.bottom < MARGIN_BAND

    repeated = Counter(
        key for page in pages for key in {_DIGITS.sub("#", line.text.strip()) for line in page if in_margin(line)}
    )
    enough = max(2, REPEATED_ON_SHARE * len(pages))
    return [
        line
        for page in pages
        for line in page
        if line.table is not None or not (in_margin(line) and (_PAGE_NUMBER.match(line.text.strip()) or repeated[_DIGITS.sub("#", line.text.strip())] >= enough))
    ]


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


def _assemble(builder: TextBuilder, lines: list[_Line], outline: dict[int, list[tuple[str, int]]]) -> None:
    body_size = _body_size(lines)
    body_bold = _body_bold(lines)
    sizes = sorted({line.size for line in lines if line.size >= body_size * HEADING_SIZE_RATIO}, reverse=True)
    pieces: list[tuple[str, int | None]] = []
    previous: _Line | None = None
    edges = _column_edges(lines)
    for line in lines:
        if line.table is not None:
            builder.paragraph(pieces)
            pieces, previous = [], None
            builder.table(line.table)
            continue
        text = line.text.strip()
        level = _heading_level(line, text, outline, body_size, body_bold, sizes)
        if level:
            builder.paragraph(pieces)
            pieces, previous = [], None
            builder.heading(level, text, line.page)
            continue
        if previous is None or _starts_paragraph(previous, line, edges):
            builder.paragraph(pieces)
            pieces = [(text, line.page)]
        else:
            glue = " " if _LATIN_END.search(pieces[-1][0]) and _LATIN_START.match(text) else ""
            if pieces[-1][1] == line.page:
                pieces[-1] = (pieces[-1][0] + glue + text, line.page)
            else:
                pieces.append((glue + text, line.page))
        previous = line
    builder.paragraph(pieces)


def _heading_level(line: _Line, text: str, outline, body_size: float, body_bold: bool, sizes: list[float]) -> int:
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


def _starts_paragraph(previous: _Line, line: _Line, edges: dict) -> bool:
    left, right = edges[(line.page, line.column)]
    previous_left, previous_right = edges[(previous.page, previous.column)]
    size = max(line.size, 1.0)
    if previous_right - previous.right > SHORT_LINE_CHARS * size:
        return True  # 上一行没写满：段落在那里结束
    if line.left - left > INDENT_CHARS * size:
        return True  # 首行缩进
    if previous.page == line.page and (previous_left, previous_right) == (left, right):
        gap = (previous.bottom - line.top) * 1000  # 页高的千分之几，与行高比
        height = (line.top - line.bottom) * 1000
        return gap > PARAGRAPH_GAP * height
    return False


def _column_edges(lines: list[_Line]) -> dict:
    """(page, column) -> (leftmost, rightmost) x of its lines."""
    edges: dict = {}
    for line in lines:
        key = (line.page, line.column)
        low, high = edges.get(key, (line.left, line.right))
        edges[key] = (min(low, line.left), max(high, line.right))
    return edges


def _body_size(lines: list[_Line]) -> float:
    counts = Counter()
    for line in lines:
        counts[line.size] += len(line.text)
    return counts.most_common(1)[0][0] if counts else 0.0


def _body_bold(lines: list[_Line]) -> bool:
    bold = sum(len(line.text) for line in lines if line.bold)
    return bold > sum(len(line.text) for line in lines) / 2


def _squeeze(text: str) -> str:
    return "".join((text or "").split())

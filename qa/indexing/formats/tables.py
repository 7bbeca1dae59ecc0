"""A table -> facts that keep their row label, column header and unit: 「地区生产总值 2022年为18753亿元。」.

The facts are what gets indexed and quoted (a sentence the figure parser and the reader understand); each keeps
where its cell sits (row, column, cell name, the whole row) for the citation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from qa.text.figures import find_figures

# 表头最多几行、行标签最多几列：再多就不像表头了
MAX_HEADER_ROWS = 3
MAX_LABEL_COLUMNS = 2
# 一行（一列）里数值单元格不到这个比例，就算表头（标签）
HEADER_NUMERIC_SHARE = 0.5
# 事实句里的标签太长（整段文字塞在单元格里）就截短
MAX_LABEL = 40

# 「（单位：亿元）」「单位：万人」「GDP（亿元）」「增长(%)」
_UNIT_NOTE = re.compile(r"单位\s*[:：]\s*([^\s（）()，,。；;]{1,6})")
_UNIT_PAREN = re.compile(r"[（(]\s*([^（）()\s]{1,6})\s*[)）]")
# 表题：「表1 ……」「表 2：……」，或说明单位的一行（「单位：亿元」「（单位：万人）」「单位：元 币种：人民币」）
_CAPTION = re.compile(
    r"^(?:表\s*[\d一二三四五六七八九十]+[\s：:、.．]?\S.{0,40}|.{0,30}[（(]?单位\s*[:：]\s*\S{1,8}(?:\s+币种\s*[:：]\s*\S{1,6})?[)）]?)$"
)
_BARE_NUMBER = re.compile(r"^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SPACES = re.compile(r"\s+")
# 写注释编号的列（财务报表的「附注」列）：其中的数字是编号，不是数值
NOTE_HEADINGS = frozenset({"附注", "注释", "附注编号", "注释编号"})


@dataclass(frozen=True)
class Table:
    """A grid of cell texts as the file shows it (merged cells repeated in every cell they cover)."""

    rows: tuple[tuple[str, ...], ...]
    caption: str  # 表题、工作表名；空串：由 TextBuilder 取前面的题注段落或「表N」
    cell_name: Callable[[int, int], str]  # (行, 列) 从 0 数 -> 「Sheet1!C7」「表2 第3行第2列」
    page: int | None = None


@dataclass(frozen=True)
class Fact:
    """One cell as a sentence, and where it sits."""

    text: str
    row: str
    column: str
    cell: str
    cells: tuple[str, ...]
    cell_index: int
    headers: tuple[str, ...] = ()  # 每一列的列标题（多行表头连起来），与 cells 对齐；没有表头时为空


def table_facts(table: Table) -> tuple[str, list[Fact]]:
    """(the table's heading: its caption and any title row spanning the table, one fact per non-empty value cell).
    A table without headers gives one fact per row (its cells joined)."""
    rows, top, left = _trimmed(table.rows)
    if not rows:
        return table.caption, []
    width = len(rows[0])
    # 横跨整表的一行（合并的表题「2022年主要经济指标（单位：亿元）」）不是列标题，是表题的一部分
    title_rows = 0
    while title_rows < len(rows) - 1 and width > 1 and len({cell for cell in rows[title_rows] if cell}) == 1 and all(rows[title_rows]):
        title_rows += 1
    titles = " ".join(rows[r][0] for r in range(title_rows))
    rows, top = rows[title_rows:], top + title_rows

    def cell_name(r: int, c: int) -> str:
        return table.cell_name(r + top, c + left)

    header_rows = _header_rows(rows)
    label_columns = _label_columns(rows[header_rows:], width)
    headers = tuple(_join(rows[h][c] for h in range(header_rows)) for c in range(width)) if header_rows else ()
    caption_unit = unit_in(table.caption) or unit_in(titles) or _unit_row(rows[:header_rows])
    facts = []
    for r in range(header_rows, len(rows)):
        row = rows[r]
        label = _join(row[:label_columns])
        if label_columns == width or not (header_rows or label_columns):
            if any(row):
                # 没有可分的表头或数值：整行就是一句
                facts.append(Fact(_sentence(" | ".join(cell for cell in row if cell)), label, "", cell_name(r, 0), row, 0, headers))
            continue
        if label and not any(row[label_columns:]):
            # 只有行标签、没有数值的一行（「2至3年」「流动资产：」）：标签照写，不丢字
            facts.append(Fact(_sentence(label), label, "", cell_name(r, 0), row, 0, headers))
            continue
        for c in range(label_columns, width):
            value = row[c]
            if not value:
                continue
            column = _join(rows[h][c] for h in range(header_rows)) if header_rows else ""
            if column.split(" ")[-1] in NOTE_HEADINGS:
                # 财务报表的「附注」列是注释的编号，不是数值：「其中：营业收入 见附注30」，不带单位
                facts.append(Fact(_sentence(f"{label} 见{column.split(' ')[-1]}{value}"), label, column, cell_name(r, c), row, c, headers))
                continue
            unit = unit_in(column) or unit_in(label) or caption_unit
            shown = value + unit if unit and _BARE_NUMBER.match(value) else value
            # 行标签与列标题用空格连：同在一个分句里，答案短语才带着「城镇」「2022年」
            subject = " ".join(part for part in (_short(_without_unit(label)), _short(_without_unit(column))) if part)
            text = f"{subject}为{shown}" if subject else shown  # 不用冒号：冒号断开分句，数字就离开了它的说明
            facts.append(Fact(_sentence(text), label, column, cell_name(r, c), row, c, headers))
    heading = table.caption if not titles or titles in table.caption else f"{table.caption} {titles}"
    return heading, facts


def _trimmed(rows) -> tuple[list[tuple[str, ...]], int, int]:
    """The grid without empty rows and columns around it, and how many were cut at the top and the left."""
    grid = [tuple(_clean(cell) for cell in row) for row in rows]
    width = max((len(row) for row in grid), default=0)
    grid = [row + ("",) * (width - len(row)) for row in grid]
    used_rows = [r for r, row in enumerate(grid) if any(row)]
    used_columns = [c for c in range(width) if any(row[c] for row in grid)]
    if not used_rows:
        return [], 0, 0
    top, left = used_rows[0], used_columns[0]
    return [row[left : used_columns[-1] + 1] for row in grid[top : used_rows[-1] + 1]], top, left


def is_caption(text: str) -> bool:
    """A line that names the table below it: 「表2 主要农产品产量（单位：万吨）」, 「单位：亿元」."""
    return bool(_CAPTION.match(text.strip()))


def unit_in(text: str) -> str:
    """The unit a label or caption declares (「（单位：亿元）」 → 亿元, 「增长(%)」 → %), or ''."""
    for pattern in (_UNIT_NOTE, _UNIT_PAREN):
        for match in pattern.finditer(text or ""):
            if is_unit(match.group(1)):
                return match.group(1)
    return ""


def is_unit(text: str) -> bool:
    """「亿元」「万人」「%」「公里」 are units: one followed by it reads as one figure."""
    if any(char.isdigit() for char in text):
        return False  # 「（2022年）」是时间，不是单位
    figures = find_figures("1" + text)
    return len(figures) == 1 and figures[0].kind != "date" and figures[0].text == "1" + text


def is_numeric(cell: str) -> bool:
    """A value cell: a bare number or one figure that is the whole cell (「18753亿元」「6.0%」), not a year."""
    if _BARE_NUMBER.match(cell):
        return True
    figures = find_figures(cell)
    return len(figures) == 1 and figures[0].kind != "date" and len(figures[0].text) >= len(cell) - 1


def _header_rows(rows: list[tuple[str, ...]]) -> int:
    """Leading rows that hold no values (column headings, a 「单位：亿元」 line); in a table of text only, the first."""
    if not any(is_numeric(cell) for row in rows for cell in row[1:]):
        return 1 if len(rows) > 1 else 0
    count = 0
    for row in rows[: min(MAX_HEADER_ROWS, len(rows) - 1)]:
        values = [cell for cell in row[1:] if cell]
        if values and sum(map(is_numeric, values)) / len(values) >= HEADER_NUMERIC_SHARE:
            break  # 第一行数据
        count += 1
    return count


def _label_columns(data: list[tuple[str, ...]], width: int) -> int:
    """Leading columns whose data cells are mostly text (the row labels); in a table of text only, the first.
    A one-column table has none: each row is a sentence."""
    if width < 2:
        return width
    if not any(is_numeric(cell) for row in data for cell in row):
        return 1
    count = 0
    for c in range(min(MAX_LABEL_COLUMNS, width - 1)):
        cells = [row[c] for row in data if row[c]]
        if not cells or sum(map(is_numeric, cells)) / len(cells) >= HEADER_NUMERIC_SHARE:
            break
        count += 1
    return count


def _unit_row(header: list[tuple[str, ...]]) -> str:
    for row in header:
        for cell in row:
            unit = unit_in(cell) if "单位" in cell else ""
            if unit:
                return unit
    return ""


def _join(cells) -> str:
    """Header cells of a merged, multi-row heading: each distinct text once, in order."""
    parts: list[str] = []
    for cell in cells:
        if cell and cell not in parts:
            parts.append(cell)
    return " ".join(parts)


def _without_unit(label: str) -> str:
    unit = unit_in(label)
    if not unit:
        return label
    return _UNIT_PAREN.sub(lambda m: "" if m.group(1) == unit else m.group(0), label).strip()


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _sentence(text: str) -> str:
    return text.rstrip("。；;，, ") + "。"


def _clean(cell) -> str:
    return _SPACES.sub(" ", str(cell if cell is not None else "")).strip()

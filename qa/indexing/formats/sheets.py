"""Spreadsheets -> facts: every sheet of an .xlsx (and a .csv) is a table with its header rows; cells are cited as
「Sheet1!C7」."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from qa.indexing.dates import EXCEL_PROPERTIES, published_from_properties
from qa.indexing.formats.builder import Extracted, TextBuilder
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.formats.safety import check_zip
from qa.indexing.formats.tables import Table, is_numeric

# 一张表读到这么多行为止（再多就是数据库导出，不是报表）
MAX_ROWS = 20_000
MAX_COLUMNS = 200
_DECIMALS = re.compile(r"0\.(0+)")


def read_xlsx(path: Path) -> Extracted:
    """Every sheet that has cells, as a section named after the sheet; merged cells fill the cells they cover."""
    check_zip(path, "Excel 文件")
    try:
        # 不用 read_only：只有完整模式才知道合并单元格；data_only 取公式算好的值
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableFile("Excel 文件已损坏或不是 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）") from error
    builder = TextBuilder()
    title = (workbook.properties.title or "").strip()
    published = published_from_properties(workbook.properties.created, workbook.properties.modified, EXCEL_PROPERTIES)
    for sheet in workbook.worksheets:
        rows = _sheet_rows(sheet)
        title = title or _title_row(rows)
        if rows:
            builder.table(Table(rows, sheet.title, _cell_namer(sheet.title)))
    workbook.close()
    if not builder.text.strip():
        raise UnreadableFile("Excel 文件里没有数据")
    return builder.extracted(title or path.stem, published=published)


def read_csv(text: str, name: str) -> Extracted:
    """A decoded .csv (comma, tab or semicolon separated) as one table named after the file."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = tuple(tuple(row[:MAX_COLUMNS]) for _, row in zip(range(MAX_ROWS), csv.reader(io.StringIO(text), dialect)))
    builder = TextBuilder()
    builder.table(Table(rows, name, lambda row, column: f"{get_column_letter(column + 1)}{row + 1}"))
    if not builder.text.strip():
        raise UnreadableFile("CSV 文件里没有数据")
    return builder.extracted(name)


def _sheet_rows(sheet) -> tuple[tuple[str, ...], ...]:
    """The sheet's used range as texts, merged ranges filled with their top-left value, empty edges trimmed."""
    if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
        raise UnreadableFile(f"工作表「{sheet.title}」有 {sheet.max_row} 行 × {sheet.max_column} 列，超过上限 {MAX_ROWS} 行 × {MAX_COLUMNS} 列")
    grid = [[_cell_text(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()]
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                grid[r][c] = value
    # 行列号要与表格软件一致（Sheet1!C7）：只去掉尾部的空行空列，不去开头的
    while grid and not any(grid[-1]):
        grid.pop()
    return tuple(tuple(row) for row in grid)


def _title_row(rows: tuple[tuple[str, ...], ...]) -> str:
    """The text of a first row that holds one text only (a merged title across the sheet), else ''."""
    first = next((row for row in rows if any(row)), ())
    texts = {cell for cell in first if cell}
    if len(texts) != 1 or len(first) < 2:
        return ""
    text = texts.pop()
    return "" if is_numeric(text) else text


def _cell_text(value, number_format: str = "General") -> str:
    """The cell as the sheet shows it: 6.0 with format 「0.0」 is 「6.0」, not 「6」."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        decimals = _DECIMALS.search(number_format or "")
        if decimals and "%" not in number_format:
            return f"{value:.{len(decimals.group(1))}f}"
        return f"{value:.10g}"  # 0.30000000000000004 → 0.3
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value).strip()


def _cell_namer(sheet: str):
    return lambda row, column: f"{sheet}!{get_column_letter(column + 1)}{row + 1}"

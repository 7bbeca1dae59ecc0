"""Word .docx -> text: heading styles become sections, list items stay lines, tables become facts."""
from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as WordTable

from qa.indexing.dates import WORD_PROPERTIES, published_from_properties
from qa.indexing.formats.builder import Extracted, TextBuilder
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.formats.safety import check_zip
from qa.indexing.formats.tables import Table

# 「Heading 2」「标题 2」「Title」
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题"}
_LIST_STYLE = re.compile(r"list|列表", re.IGNORECASE)


def read_docx(path: Path) -> Extracted:
    """The document body in order: headings, paragraphs, list items and tables."""
    check_zip(path, "Word 文件")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise UnreadableFile("Word 文件已损坏或不是 .docx 格式（旧的 .doc 请先另存为 .docx）") from error
    builder = TextBuilder()
    title = (document.core_properties.title or "").strip()
    for block in document.iter_inner_content():
        if isinstance(block, WordTable):
            builder.table(Table(_rows(block), "", _cell_name))  # 表题：前面的题注段落（TextBuilder 留着它）
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "").strip()
        heading = _HEADING_STYLE.match(style)
        if style.lower() == "caption":
            builder.caption(text)
        elif style.lower() in _TITLE_STYLES:
            title = title or text
            builder.heading(1, text)
        elif heading:
            builder.heading(int(heading.group(1)) + 1, text)  # 一级标题下面还有文档标题
        elif _LIST_STYLE.search(style) or block._p.pPr is not None and block._p.pPr.numPr is not None:
            builder.paragraph([(f"- {text}", None)])
        else:
            builder.paragraph([(text, None)])
    if not builder.text.strip():
        raise UnreadableFile("Word 文件里没有文字")
    properties = document.core_properties
    return builder.extracted(title, published=published_from_properties(properties.created, properties.modified, WORD_PROPERTIES))


def _rows(table) -> tuple[tuple[str, ...], ...]:
    """Cell texts row by row; a merged cell is repeated in every grid cell it covers (python-docx does that)."""
    return tuple(tuple(cell.text for cell in row.cells) for row in table.rows)


def _cell_name(row: int, column: int) -> str:
    return f"第{row + 1}行第{column + 1}列"

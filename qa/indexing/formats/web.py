"""A saved web page (.html) -> its main text: navigation, menus, headers, footers and scripts left out, h1–h6 as
sections, tables as facts."""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from qa.indexing.dates import RELEASE_LINE, published_from_meta, release_date
from qa.indexing.formats.builder import Extracted, TextBuilder
from qa.types import Published
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.formats.tables import Table

# 不是正文的元素：导航、页眉页脚、侧栏、脚本、表单
_BOILERPLATE_TAGS = "nav, header, footer, aside, script, style, noscript, template, form, iframe, svg, button, select, object"
# class / id 里有这些词的元素也是页面框架（「面包屑」「分享」「版权」）
_BOILERPLATE_NAMES = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumb|footer|header|sidebar|side|share|social|copyright|banner|topbar|toolbar|login)(?:$|[-_\s])",
    re.IGNORECASE,
)
_MAIN = ("main", "article", "[role=main]", "#content", ".content", "#main", ".main")
_BLOCKS = {"p", "div", "section", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "br", "tr", "article", "main", "body", "figure", "figcaption", "center"}
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_SPACES = re.compile(r"[ \t\r\n\u3000\xa0]+")
# 源码里中文之间的换行缩进不是空格（「全年地区\n    生产总值」）
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
# 这么大的表格属性值（rowspan/colspan）是坏数据
MAX_SPAN = 100


def read_html(text: str, fallback_title: str) -> Extracted:
    """The main text of a decoded HTML page."""
    tree = LexborHTMLParser(text)
    title_node = tree.css_first("title")
    title = _squeeze(title_node.text()) if title_node else ""
    published = _published(tree)  # 在去掉页面框架之前：「发布时间」常写在正文外的信息栏里
    for node in tree.css(_BOILERPLATE_TAGS):
        node.decompose()
    for node in tree.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BOILERPLATE_NAMES.search(names) and node.tag not in ("body", "html", "main", "article"):
            node.decompose()
    root = next((node for selector in _MAIN if (node := tree.css_first(selector)) is not None), None) or tree.body
    if root is None:
        raise UnreadableFile("网页里没有正文")
    walker = _Walker()
    walker.visit(root)
    walker.flush()
    builder = walker.builder
    if not builder.text.strip():
        raise UnreadableFile("网页里没有正文文字")
    return builder.extracted(title or walker.first_heading or fallback_title, published=published)


def _published(tree) -> Published | None:
    """The page's own date: its <meta> (PubDate, article:published_time, dc.date…), else a 「发布时间：」 line
    anywhere on the page, including the information bar that is left out of the text."""
    meta: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        name = attributes.get("name") or attributes.get("property") or attributes.get("itemprop") or ""
        meta.setdefault(name.strip().lower(), attributes.get("content") or "")
    found = published_from_meta(meta)
    if found is None and tree.body is not None:
        release = release_date(_squeeze(tree.body.text(separator=" ")))
        found = Published(release, RELEASE_LINE) if release else None
    return found


class _Walker:
    """Walks the page in document order, writing headings, paragraphs and tables to a TextBuilder."""

    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.buffer: list[str] = []
        self.first_heading = ""

    def visit(self, node) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.buffer.append(child.text_content or "")
            elif tag in _HEADINGS:
                self.flush()
                heading = _squeeze(child.text())
                self.first_heading = self.first_heading or heading
                self.builder.heading(_HEADINGS[tag], heading)
            elif tag == "table":
                self.flush()
                caption = child.css_first("caption")  # 没有 <caption> 时，TextBuilder 用前面的「表1 ……」段落
                self.builder.table(Table(_table_rows(child), _squeeze(caption.text()) if caption else "", _cell_name))
            elif tag in _BLOCKS:
                self.flush()
                self.visit(child)
                self.flush()
            elif tag not in ("-comment",):
                self.visit(child)

    def flush(self) -> None:
        """Write the text gathered so far as a paragraph."""
        text = _squeeze("".join(self.buffer))
        self.buffer = []
        if text:
            self.builder.paragraph([(text, None)])


def _table_rows(table) -> tuple[tuple[str, ...], ...]:
    """The table as a grid: a cell with rowspan/colspan fills every grid cell it covers."""
    grid: dict[tuple[int, int], str] = {}
    rows = [row for row in table.css("tr") if _owner_table(row) == table]  # 嵌套表格的行不算
    for r, row in enumerate(rows):
        c = 0
        for cell in row.iter():
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = _squeeze(cell.text(separator=" "))
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid.setdefault((r + dr, c + dc), text)
            c += colspan
    if not grid:
        return ()
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return tuple(tuple(grid.get((r, c), "") for c in range(width)) for r in range(height))


def _owner_table(row):
    node = row.parent
    while node is not None and node.tag != "table":
        node = node.parent
    return node


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.attributes.get(name) or 1), MAX_SPAN))
    except ValueError:
        return 1


def _cell_name(row: int, column: int) -> str:
    return f"第{row + 1}行第{column + 1}列"


def _squeeze(text: str | None) -> str:
    return _CJK_GAP.sub("", _SPACES.sub(" ", text or "")).strip()

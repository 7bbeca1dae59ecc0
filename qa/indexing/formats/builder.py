"""The text a non-plain file becomes, assembled block by block, with where each stretch came from.

Blocks are separated by a blank line; headings are written as Markdown headings (「## 二、主要指标」) so the
section splitter reads every format the same way; a table becomes its caption as a heading and one fact per
line (qa.indexing.formats.tables)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from qa.indexing.formats.tables import Table, is_caption, table_facts
from qa.types import Location, Published

# 表题作小标题时最深到这一级（Markdown 只有六级）
MAX_HEADING_LEVEL = 6


@dataclass(frozen=True)
class Extracted:
    """What a format reader returns: the text, its title (may be empty) and where its parts came from."""

    text: str
    title: str
    locations: tuple[Location, ...]
    pages: int | None
    tables: int
    notes: tuple[str, ...] = ()  # what the user should know about what was not read (「第3页没有文字层」)
    # 文件自带的日期（PDF 元数据、文档属性、网页 meta），未经核对：qa.indexing.dates.document_published 拿正文核对
    published: Published | None = None


class TextBuilder:
    """Collects headings, paragraphs and tables into one text and its `Location`s. A caption-like paragraph
    (「表1 ……（单位：万人）」) waits: if a table follows, it names the table; otherwise it is written as it was."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._heading: tuple[int, str] | None = None  # the last heading (level, text): a table caption goes below it
        self._after_table = False  # the text after a table belongs to the heading above the table again
        self._caption: tuple[str, int | None] | None = None  # a caption-like paragraph waiting for its table
        self.locations: list[Location] = []
        self.tables = 0

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def extracted(
        self, title: str, pages: int | None = None, notes: tuple[str, ...] = (), published: Published | None = None
    ) -> Extracted:
        self._flush_caption()
        return Extracted(self.text, " ".join(title.split()), tuple(self.locations), pages, self.tables, notes, published)

    def heading(self, level: int, text: str, page: int | None = None) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self._flush_caption()
        level = max(1, min(level, MAX_HEADING_LEVEL))
        self._heading, self._after_table = (level, text), False
        self._block([(_heading_line(level, text), page)])

    def caption(self, text: str, page: int | None = None) -> None:
        """A paragraph that names the table after it (Word's 「题注」 style, or one that reads like a caption)."""
        self._flush_caption()
        self._caption = (text, page)

    def paragraph(self, pieces: list[tuple[str, int | None]]) -> None:
        """One block from pieces of text, each with the page it came from (None outside PDFs)."""
        pieces = [(text, page) for text, page in pieces if text]
        if not pieces:
            return
        if len(pieces) == 1 and is_caption(pieces[0][0]):
            self.caption(*pieces[0])
            return
        self._flush_caption()
        self._body(pieces)

    def table(self, table: Table, continued: bool = False) -> None:
        """The table's caption as a heading below the current one, then one fact per line. A table without a
        caption of its own takes the waiting caption paragraph, else 「表N」. A `continued` table (the part of the
        table before it that went on to the next page) adds its facts under that table's heading."""
        if not table.caption:
            waiting, self._caption = self._caption, None
            table = replace(table, caption=waiting[0] if waiting else f"表{self.tables + 1}")
        self._flush_caption()
        heading, facts = table_facts(table)
        if not facts:
            return
        if continued:
            self._write("\n")  # 接在上一页那部分的最后一句后面，一事一行
        else:
            self.tables += 1
            level = self._heading[0] + 1 if self._heading else 1
            self._block([(_heading_line(level, heading), table.page)])
            self._separate()
        for i, fact in enumerate(facts):
            if i:
                self._write("\n")
            start = self._write(fact.text)
            label = f"{table.caption} › {' › '.join(part for part in (fact.row, fact.column) if part)}（{fact.cell}）"
            if table.page is not None:
                label = f"第{table.page}页 {label}"
            self.locations.append(
                Location(
                    start, self._length, label, page=table.page, table=table.caption, row=fact.row or None,
                    column=fact.column or None, cell=fact.cell, cells=fact.cells, cell_index=fact.cell_index, headers=fact.headers,
                )
            )
        self._after_table = True

    def _flush_caption(self) -> None:
        """The waiting caption-like paragraph, written as a paragraph: no table came after it."""
        if self._caption is not None:
            waiting, self._caption = self._caption, None
            self._body([waiting])

    def _body(self, pieces: list[tuple[str, int | None]]) -> None:
        if self._after_table and self._heading is not None:
            # Markdown 标题关不上：表题之后的正文要回到表格上面那个标题下，就把它再写一遍
            level, text = self._heading
            self._block([(_heading_line(level, text), pieces[0][1])])
        self._after_table = False
        self._block(pieces)

    def _block(self, pieces: list[tuple[str, int | None]]) -> None:
        self._separate()
        for text, page in pieces:
            start = self._write(text)
            if page is not None:
                self._locate(start, self._length, page=page)

    def _separate(self) -> None:
        if self._length:
            self._write("\n\n")

    def _write(self, text: str) -> int:
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return start

    def _locate(self, start: int, end: int, page: int) -> None:
        """A page location; runs of the same page (across blocks) become one."""
        last = self.locations[-1] if self.locations else None
        if last is not None and last.page == page and last.table is None and start - last.end <= 2:
            self.locations[-1] = Location(last.start, end, last.label, page=page)
        else:
            self.locations.append(Location(start, end, f"第{page}页", page=page))


def _heading_line(level: int, text: str) -> str:
    return f"{'#' * min(level, MAX_HEADING_LEVEL)} {' '.join(text.split())}"


def locate(locations: tuple[Location, ...] | list[Location], start: int, end: int) -> Location | None:
    """Where the text start..end came from: the table cell it quotes, or the page(s) it lies on."""
    overlapping = [location for location in locations if location.start < end and start < location.end]
    if not overlapping:
        return None
    cells = [location for location in overlapping if location.cell]
    if cells:
        return cells[0]
    pages = sorted({location.page for location in overlapping if location.page is not None})
    if not pages:
        return None
    if len(pages) == 1:
        return Location(start, end, f"第{pages[0]}页", page=pages[0])
    return Location(start, end, f"第{pages[0]}–{pages[-1]}页", page=pages[0])

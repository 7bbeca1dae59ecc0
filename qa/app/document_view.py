"""「查看全文」: one indexed document as a page to read around a quote — its text as the index holds it, a heading
for each section, a marker at each PDF page, the quoted stretch highlighted and scrolled into view (the cited table
cell marked inside it). Built from the index's chunks, never from a path the browser sends."""
from __future__ import annotations

import html
from urllib.parse import quote

from qa.types import Chunk, Citation, Location

DOC_PATH = "/doc"  # 全文页的地址：/doc?name=文件名&start=起&end=止


def document_link(citation: Citation) -> str:
    """The citation's 「查看全文」 link (a new tab, scrolled to the quote)."""
    return f"{DOC_PATH}?name={quote(citation.doc)}&start={citation.start}&end={citation.end}#quote"


def whole_document(pipeline, doc: str, start: int, end: int) -> str | None:
    """The page for a document of `pipeline`'s index, the quote [start, end) highlighted and, for a table cell, the
    cell marked; None for a document the index does not hold."""
    chunks = pipeline.chunks_of(doc)
    if not chunks:
        return None
    locations = pipeline.locations.get(doc, ())
    cited = next((loc for loc in locations if loc.cell and loc.start <= start and end <= loc.end), None)
    cell = cited.cells[cited.cell_index] if cited and cited.cells and cited.cell_index is not None else None
    return document_page(chunks, locations, start, end, cell)


def document_page(chunks: list[Chunk], locations: tuple[Location, ...], start: int, end: int, cell: str | None = None) -> str:
    """The whole page (HTML, every text escaped). `chunks`: the document's chunks in any order; `start`/`end`: the
    quote's offsets; `cell`: the cited cell's text, marked within the quote."""
    chunks = sorted(chunks, key=lambda chunk: chunk.start)
    title = chunks[0].title if chunks else ""
    first_offset: dict[int, int] = {}  # 每页在文字里从哪里开始
    for loc in locations:
        if loc.page and loc.cell is None:
            first_offset[loc.page] = min(loc.start, first_offset.get(loc.page, loc.start))
    page_starts = sorted((begin, page) for page, begin in first_offset.items())
    parts, cursor, section = [], 0, None
    for chunk in chunks:
        if chunk.end <= cursor:
            continue
        if chunk.section_path != section:
            section = chunk.section_path
            shown = [part for part in section if part != title] or [title]
            parts.append(f"<h2>{html.escape(' › '.join(shown))}</h2>")
        offset = max(cursor, chunk.start)
        parts.append(_text_html(chunk.text[offset - chunk.start :], offset, start, end, cell, page_starts))  # 用掉已标出的页
        cursor = chunk.end
    # 第一段高亮是滚动的目标（#quote）
    body = "".join(parts).replace("<mark>", "<mark id='quote'>", 1) or "<p>这份文档在索引里没有文字。</p>"
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}（全文）</title><style>{STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _text_html(text: str, offset: int, start: int, end: int, cell: str | None, pages_left: list[tuple[int, int]]) -> str:
    """Escaped text from document offset `offset`, the quote [start, end) in <mark>, and a marker before each page
    that begins by then (`pages_left`, sorted, is consumed: a page beginning in a heading is marked at its text)."""
    cuts = sorted({0, len(text)} | {p - offset for p, _ in pages_left if offset < p < offset + len(text)}
                  | {x - offset for x in (start, end) if offset < x < offset + len(text)})
    out = []
    for left, right in zip(cuts, cuts[1:]):
        while pages_left and pages_left[0][0] <= left + offset:
            out.append(f"<div class='page'>第 {pages_left.pop(0)[1]} 页</div>")
        piece = text[left:right]
        if start <= left + offset and right + offset <= end:
            inner = html.escape(piece)
            if cell and cell in piece:
                before, _, after = piece.partition(cell)
                inner = f"{html.escape(before)}<b class='cell'>{html.escape(cell)}</b>{html.escape(after)}"
            out.append(f"<mark>{inner}</mark>")
        else:
            out.append(html.escape(piece))
    return f"<div class='text'>{''.join(out)}</div>"


STYLE = (
    "body{font-family:'Noto Sans CJK SC',sans-serif;max-width:52em;margin:1em auto;padding:0 1em;line-height:1.7;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em;color:#333}.text{white-space:pre-wrap}"
    "mark{background:#ffe58a;padding:0 2px}#quote{scroll-margin-top:30vh}.cell{outline:2px solid #e07b39}"
    ".page{color:#888;font-size:.85em;border-top:1px dashed #ccc;margin:.8em 0 .3em}"
)

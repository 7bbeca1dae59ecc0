"""Answers and passages as escaped HTML for the web chat: every document or user text goes through html.escape."""
from __future__ import annotations

import html
import re

from qa.app.document_view import document_link
from qa.app.labels import veto_label
from qa.text.figures import find_figures
from qa.types import Answer, Citation, Hit, Location

_MARKER = re.compile(r"\[(\d+)\]")


def highlight_figures(text: str, figures: list[str] | None = None) -> str:
    """Escape text and wrap its figures (or the given figure texts) in <mark>."""
    spans = []
    if figures is None:
        spans = [(f.start, f.end) for f in find_figures(text) if f.kind != "date"]
    else:
        for figure in sorted(set(filter(None, figures)), key=len, reverse=True):
            for match in re.finditer(re.escape(figure), text):
                if not any(s < match.end() and match.start() < e for s, e in spans):
                    spans.append((match.start(), match.end()))
    spans.sort()
    parts, cursor = [], 0
    for start, end in spans:
        parts.append(html.escape(text[cursor:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


def answer_html(
    answer: Answer, understood_as: str | None = None, page_texts: dict[tuple[str, int], str] | None = None, whole_documents: bool = False
) -> str:
    """The chat bubble: answer with highlighted figures and citation markers, then sources and passages;
    `page_texts` ((document, page) -> text) lets a PDF citation open its page; `whole_documents` adds each
    citation's 「查看全文」 link (the server's /doc page)."""
    page_texts = page_texts or {}
    figure_texts = [f["text"] for f in answer.figures] or ([answer.span] if answer.span else [])
    body = highlight_figures(answer.answer, figure_texts)
    body = _MARKER.sub(lambda m: f"<sup>[{m.group(1)}]</sup>", body)
    parts = []
    to_check = answer.confidence_band == "check" and not answer.abstained
    if answer.span and not answer.abstained:
        # 先给最短的答案，再给句子和出处；把握不足的答案换一种样子，请人核对引文
        if to_check:
            parts.append(
                f'<div class="qa-span qa-check">可能是：<b>{html.escape(answer.span)}</b>'
                f'<span class="qa-note">（把握 {answer.confidence:.0%}，不足，请核对下面的原文）</span></div>'
            )
        else:
            confidence = "" if answer.confidence is None else f'<span class="qa-note">（把握 {answer.confidence:.0%}）</span>'
            parts.append(f'<div class="qa-span"><b>{html.escape(answer.span)}</b>{confidence}</div>')
    parts.append(f'<div class="qa-answer{" qa-check" if to_check else ""}">{body}</div>')
    if understood_as:
        parts.append(f'<div class="qa-note">按上下文理解为：「{html.escape(understood_as)}」</div>')
    if answer.citations:
        items = "".join(
            f"<li><b>《{html.escape(c.title)}》</b> {html.escape(c.doc)} › {html.escape(' › '.join(c.section))}"
            + (f'<br><span class="qa-note">位置：{html.escape(c.location.label)}</span>' if c.location else "")
            + (f'<br><span class="qa-note">时间：{html.escape(c.time["label"])}</span>' if c.time else "")
            + f'<br><span class="qa-quote">「{highlight_figures(c.quote, figure_texts)}」</span>'
            + (table_row_html(c.location) if c.location and c.location.cells else "")
            + _page_html(c, page_texts)
            + (f' <a class="qa-doc-link" href="{html.escape(document_link(c))}" target="_blank" rel="noopener">查看全文</a>' if whole_documents else "")
            + "</li>"
            for c in answer.citations
        )
        parts.append(f"<details open><summary>引用来源（{len(answer.citations)}）</summary><ol>{items}</ol></details>")
    if answer.abstained and answer.veto is not None:
        parts.append(f'<div class="qa-note">未作答的原因（{html.escape(veto_label(answer.veto.name))}）：{html.escape(answer.veto.reason)}</div>')
    if answer.abstained and answer.passages:
        # 没找到答案时直接摊开最接近的三段（短一些，答案句留在视野里）
        parts.append(f"<details open><summary>可能相关的段落</summary><ol>{passages_html(list(answer.passages[:3]), 120)}</ol></details>")
    elif answer.passages:
        parts.append(f"<details><summary>相关段落</summary><ol>{passages_html(list(answer.passages))}</ol></details>")
    return "".join(parts)


def _page_html(citation: Citation, page_texts: dict[tuple[str, int], str]) -> str:
    """The cited PDF page, folded, with the quoted sentence highlighted."""
    location = citation.location
    text = page_texts.get((citation.doc, location.page)) if location and location.page else None
    if not text:
        return ""
    before, found, after = text.partition(citation.quote)
    body = html.escape(before) + (f"<mark>{html.escape(found)}</mark>" if found else "") + html.escape(after)
    return f'<details><summary>第{location.page}页原文</summary><div class="qa-page">{body}</div></details>'


def table_row_html(location: Location) -> str:
    """The cited table row under the table's column headers, its cell highlighted (the row as the original table
    writes it)."""
    cells = "".join(
        f"<td><mark>{html.escape(cell)}</mark></td>" if i == location.cell_index else f"<td>{html.escape(cell)}</td>"
        for i, cell in enumerate(location.cells)
    )
    headers = ""
    if len(location.headers) == len(location.cells) and any(location.headers):
        headers = "<tr>" + "".join(f"<th>{html.escape(header)}</th>" for header in location.headers) + "</tr>"
    return f'<table class="qa-row">{headers}<tr>{cells}</tr></table>'


def passages_html(hits: list[Hit], limit: int = 220) -> str:
    rows = []
    for hit in hits:
        text = hit.chunk.text if len(hit.chunk.text) <= limit else hit.chunk.text[: limit - 1] + "…"
        rows.append(
            f"<li><code>{hit.score:.2f}</code> {html.escape(hit.chunk.doc)} › {html.escape(' › '.join(hit.chunk.section_path))}"
            f"<br>{html.escape(text)}</li>"
        )
    return "".join(rows)

"""Section -> Chunk list: sentence-aligned pieces that never cross a section."""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.types import Chunk, Document, Section

# 句末：句号、叹号、问号、分号（连同其后的右引号、右括号），或换行
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)]*|\n+")
_CLAUSE_END = re.compile(r"[，,、：:]")


@dataclass(frozen=True)
class ChunkSettings:
    """How sections are cut; stored in the manifest so a change forces re-chunking."""

    max_chars: int = 400
    overlap_chars: int = 80
    # 标题识别（qa/indexing/sections.py）改动时加一：已有索引下次 `qa index` 会重新切分（向量能复用的照样复用）
    sections_version: int = 3

    def as_dict(self) -> dict:
        return {"max_chars": self.max_chars, "overlap_chars": self.overlap_chars, "sections_version": self.sections_version}


def chunk_document(document: Document, sections: list[Section], settings: ChunkSettings) -> list[Chunk]:
    """All chunks of one document, in reading order, ids numbered within the document."""
    chunks = []
    for section in sections:
        for start, end in split_section(document.text, section, settings):
            chunks.append(
                Chunk(
                    id=f"{document.doc}#{len(chunks)}",
                    doc=document.doc,
                    title=document.title,
                    section_path=section.path,
                    text=document.text[start:end],
                    start=start,
                    end=end,
                )
            )
    return chunks


def split_section(text: str, section: Section, settings: ChunkSettings) -> list[tuple[int, int]]:
    """(start, end) spans covering the section: whole if short, else packed sentences with overlap."""
    spans = [span for span in sentence_spans(text, section.start, section.end)]
    pieces: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start > settings.max_chars:
            pieces.extend(_split_long_sentence(text, start, end, settings.max_chars))
        else:
            pieces.append((start, end))

    chunks: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    for piece in pieces:
        if current and piece[1] - current[0][0] > settings.max_chars:
            chunks.append((current[0][0], current[-1][1]))
            last = current[-1]
            # 上一块的最后一句较短时带入下一块，避免答案句被切断后失去上下文
            overlap_fits = last[1] - last[0] <= settings.overlap_chars
            current = [last] if overlap_fits and piece[1] - last[0] <= settings.max_chars else []
        current.append(piece)
    if current:
        chunks.append((current[0][0], current[-1][1]))
    return chunks


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], trimmed of surrounding whitespace."""
    spans = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _split_long_sentence(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at commas, or hard at max_chars when it has none."""
    pieces = []
    piece_start = start
    last_break = None
    for match in _CLAUSE_END.finditer(text, start, end):
        if match.end() - piece_start > max_chars and last_break:
            pieces.append((piece_start, last_break))
            piece_start = last_break
        last_break = match.end()
    while end - piece_start > max_chars:
        cut = last_break if last_break and piece_start < last_break < piece_start + max_chars else piece_start + max_chars
        pieces.append((piece_start, cut))
        piece_start = cut
    pieces.append((piece_start, end))
    return [trimmed for span in pieces if (trimmed := _trim(text, *span))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None

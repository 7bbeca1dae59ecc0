"""The small frozen records that flow through the pipeline (no I/O here)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a stretch of a document's text came from in its original file: a page of a PDF, a table cell."""

    start: int  # offsets into Document.text
    end: int
    label: str  # what a citation shows: 「第12页」「表1 › 地区生产总值 › 2022年（Sheet1!C7）」
    page: int | None = None  # 1-based
    table: str | None = None  # the table's caption or sheet name
    row: str | None = None  # the row's label(s)
    column: str | None = None  # the column's header(s)
    cell: str | None = None  # 「Sheet1!C7」「表2 第3行第2列」
    cells: tuple[str, ...] = ()  # the whole row as written, for display
    cell_index: int | None = None  # which of `cells` is the cited one
    headers: tuple[str, ...] = ()  # the table's column headers, aligned with `cells` (empty without a header row)

    def as_dict(self) -> dict:
        return {key: (list(value) if isinstance(value, tuple) else value) for key, value in self.__dict__.items() if value not in (None, ())}

    @classmethod
    def from_dict(cls, data: dict) -> Location:
        return cls(**{**data, "cells": tuple(data.get("cells", ())), "headers": tuple(data.get("headers", ()))})


@dataclass(frozen=True)
class Published:
    """When a document was published, as precisely as its source says, and where that was read."""

    date: str  # ISO：「2024-01-10」；只知道年份时「2023」
    source: str  # 从哪里读到的：「PDF 元数据」「Word 文档属性」「网页 meta」「发布时间」「题下日期」「标题」

    @property
    def year(self) -> int:
        return int(self.date[:4])

    def as_dict(self) -> dict:
        return {"date": self.date, "source": self.source}

    @classmethod
    def from_dict(cls, data: dict | None) -> Published | None:
        """The record a manifest entry keeps; None for an entry written before dates were read (or without one)."""
        if not isinstance(data, dict) or not str(data.get("date", ""))[:4].isdigit():
            return None
        return cls(str(data["date"]), str(data.get("source", "")))


@dataclass(frozen=True)
class Document:
    """One decoded source file; `text` is what every offset points into."""

    doc: str  # file name inside the corpus folder
    title: str
    text: str
    sha256: str  # of `text`, so an unchanged text is never re-chunked or re-embedded
    kind: str = "text"  # text, pdf, docx, html, xlsx, csv
    pages: int | None = None  # PDF pages
    tables: int = 0
    locations: tuple[Location, ...] = ()  # sorted by start; empty for plain text
    notes: tuple[str, ...] = ()  # parts that could not be read (「第3、7页没有文字层（可能是扫描页），未读入」)
    published: Published | None = None  # qa.indexing.dates.document_published


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path; `start`/`end` index the document text."""

    path: tuple[str, ...]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """The unit that is embedded, BM25-indexed, retrieved and cited."""

    id: str
    doc: str
    title: str
    section_path: tuple[str, ...]
    text: str
    start: int
    end: int

    def context_text(self) -> str:
        """Text with title and section path prefixed: what retrieval sees."""
        # 导言段落的路径就是标题本身，不重复
        path = [part for part in self.section_path if part != self.title]
        heading = " > ".join([self.title, *path])
        return f"{heading}\n{self.text}"


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and 1-based rank."""

    chunk: Chunk
    score: float
    rank: int
    dense_score: float | None = None
    bm25_score: float | None = None

    def as_passage(self) -> dict:
        """The passage as an answer's JSON lists it."""
        chunk = self.chunk
        return {"chunk_id": chunk.id, "doc": chunk.doc, "section": list(chunk.section_path), "text": chunk.text, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Citation:
    """A quoted sentence that supports an answer, traceable to its span in the document."""

    doc: str
    title: str
    section: tuple[str, ...]
    quote: str
    start: int
    end: int
    time: dict | None = None  # 相对时间的解析：{"text": "去年", "label": "去年（2012年）", "start": 2012, "end": 2012}
    location: Location | None = None  # 原文件里的位置：PDF 的页、表格的单元格

    def as_dict(self) -> dict:
        record = {"doc": self.doc, "title": self.title, "section": list(self.section), "quote": self.quote, "start": self.start, "end": self.end}
        return record | ({"time": self.time} if self.time else {}) | ({"location": self.location.as_dict()} if self.location else {})


@dataclass(frozen=True)
class Veto:
    """Why an answer was withheld: a check's name and a reason a person can read."""

    name: str  # 例如 "year"、"confidence"、"place"
    reason: str  # 例如「问题问2012年，段落说的是2011年」


# 把握的三档：high 直接作答；check 给出「可能是：……」并请人核对原文；none 不作答（拒答）
CONFIDENCE_BANDS = ("high", "check", "none")


@dataclass(frozen=True)
class Answer:
    """A short answer with its figures and citations, or an abstention with the closest passages.

    `span` is the shortest text that answers (「148.13万户」); `confidence` the probability that it is right;
    `confidence_band` how the answer is shown (CONFIDENCE_BANDS); `veto` says why an abstention happened (None when
    the answer stands)."""

    question: str
    answer: str
    abstained: bool
    figures: tuple[dict, ...]
    citations: tuple[Citation, ...]
    passages: tuple[Hit, ...]
    span: str = ""
    confidence: float | None = None
    veto: Veto | None = None
    confidence_band: str = "high"

    def as_dict(self, latency_ms: float | None = None, question_id: str | None = None) -> dict:
        """The DESIGN.md JSON shape of the answer."""
        record = {"id": question_id} if question_id is not None else {}
        record.update(
            {
                "question": self.question,
                "answer": self.answer,
                "span": self.span,
                "confidence": None if self.confidence is None else round(self.confidence, 4),
                "confidence_band": "none" if self.abstained else self.confidence_band,
                "abstained": self.abstained,
                "veto": None if self.veto is None else {"name": self.veto.name, "reason": self.veto.reason},
                "figures": list(self.figures),
                "citations": [citation.as_dict() for citation in self.citations],
                "passages": [hit.as_passage() for hit in self.passages],
            }
        )
        if latency_ms is not None:
            record["latency_ms"] = round(latency_ms, 1)
        return record

"""Corpus folder -> index folder, incrementally: only added or changed texts are chunked and embedded."""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import bm25s
import numpy as np

from qa import __version__
from qa.indexing.chunk import ChunkSettings, chunk_document
from qa.indexing.embed import Encoder, load_encoder, resolve_model_name
from qa.indexing.ingest import SUPPORTED_SUFFIXES, Skipped, load_corpus
from qa.indexing.sections import split_sections
from qa.indexing.store import FORMAT_VERSION, REBUILD_HINT, IndexUnavailable, build_lock, read_index, read_manifest, write_index
from qa.indexing.tokenize import TOKENIZER_VERSION, Tokenizer
from qa.reading.time import document_years, years_meant
from qa.types import Chunk, Document

Progress = Callable[[str, int, int], None]  # (阶段, 已完成, 总数)


@dataclass
class BuildReport:
    """What `qa index --json` prints."""

    docs: int
    chunks: int
    docs_added: list[str]
    docs_changed: list[str]
    docs_removed: list[str]
    chunks_embedded: int
    chunks_reused: int
    model: str
    seconds: float
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # 读入了、但有部分没读到的文件：{"doc", "reason"}

    def as_dict(self) -> dict:
        return asdict(self)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    model: str | None = None,
    rebuild: bool = False,
    encoder: Encoder | None = None,
    settings: ChunkSettings = ChunkSettings(),
    progress: Progress | None = None,
) -> BuildReport:
    """Bring index_dir up to date with corpus_dir; `rebuild` ignores whatever is there."""
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise IndexUnavailable(f"语料文件夹 {corpus_dir} 不存在。")
    with build_lock(index_dir):
        previous = old = None if rebuild else _previous_index(index_dir)
        model_name = resolve_model_name(model or (old.manifest["encoder"]["model"] if old else None))
        if encoder is None:
            encoder = load_encoder(model_name)
        if old and old.manifest["encoder"]["id"] != encoder.id:
            raise IndexUnavailable(
                f"现有索引用编码器 {old.manifest['encoder']['id']} 构建，这次要用 {encoder.id}；"
                f"换模型{REBUILD_HINT}（例如 `qa index --rebuild --model {model_name}`）。"
            )
        if old and old.manifest["chunker"] != settings.as_dict():
            old = None  # 切分参数变了：全部重新切分，向量仍可从缓存复用（见下）

        documents, skipped = load_corpus(corpus_dir, progress)
        if not documents:
            reasons = "；".join(f"{item.doc}：{item.reason}" for item in skipped)
            raise IndexUnavailable(f"语料文件夹 {corpus_dir} 里没有可读的文件（支持 {'、'.join(SUPPORTED_SUFFIXES)}）。{reasons}")
        old_docs = old.manifest["documents"] if old else {}
        old_chunks = _chunks_by_doc(old.chunks) if old else {}
        current = {document.doc for document in documents}
        added = [d.doc for d in documents if d.doc not in old_docs]
        changed = [d.doc for d in documents if d.doc in old_docs and old_docs[d.doc]["sha256"] != d.sha256]
        removed = sorted(set(old_docs) - current)

        tokens_changed = bool(old) and old.manifest.get("tokenizer_version") != TOKENIZER_VERSION
        if old and not (added or changed or removed or tokens_changed):
            return _report(old.manifest, [], [], [], 0, len(old.chunks), skipped, started, documents)

        chunks: list[Chunk] = []
        for document in documents:
            if document.doc in old_chunks and document.doc not in changed:
                chunks.extend(old_chunks[document.doc])
            else:
                chunks.extend(chunk_document(document, split_sections(document), settings))

        cache = previous.cache if previous else {}  # 重新切分时，文字没变的段落照样用缓存里的向量
        vectors, cache, embedded = _embed_with_cache(chunks, encoder, cache, progress)
        bm25 = build_bm25(chunks, Tokenizer())
        if progress:
            progress("BM25", 1, 1)
        manifest = _manifest(documents, chunks, encoder, model_name, settings, started)
        write_index(index_dir, manifest, chunks, vectors, bm25, cache)
        return _report(manifest, added, changed, removed, embedded, len(chunks) - embedded, skipped, started, documents)


def outdated_rules(manifest: dict) -> str | None:
    """How an index built by older heading or BM25 rules falls behind this version (None when it does not): it
    still answers, but `qa index` would re-cut or re-tokenise it (reusing its vectors)."""
    behind = []
    if manifest.get("chunker", {}).get("sections_version") != ChunkSettings().sections_version:
        behind.append("标题识别")
    if manifest.get("tokenizer_version") != TOKENIZER_VERSION:
        behind.append("关键词检索")
    return "、".join(behind) or None


def build_bm25(chunks: list[Chunk], tokenizer: Tokenizer) -> bm25s.BM25:
    """BM25 over jieba words of each chunk with its title and section path, plus the years its unwritten times
    stand for (「去年」 in a 2013 report also indexes 2012: questions name years, reports often do not)."""
    bm25 = bm25s.BM25()
    bm25.index(bm25_tokens(chunks, tokenizer), show_progress=False)
    return bm25


def bm25_tokens(chunks: list[Chunk], tokenizer: Tokenizer) -> list[list[str]]:
    """The words BM25 indexes for each chunk: its title, section path and text, plus the years its unwritten
    times stand for; a chunk with no words gets one empty placeholder (bm25s refuses empty documents)."""
    doc_years = document_years(chunks)
    token_lists = []
    for chunk in chunks:
        context = chunk.context_text()
        years = years_meant(context, doc_years.get(chunk.doc))
        token_lists.append(tokenizer.tokens(context + "".join(f" {year}年" for year in years)) or [""])
    return token_lists


def embedding_key(chunk: Chunk) -> str:
    """Cache key of a chunk: the hash of exactly what the encoder sees."""
    return hashlib.sha256(chunk.context_text().encode("utf-8")).hexdigest()


def _embed_with_cache(
    chunks: list[Chunk], encoder: Encoder, cache: dict[str, np.ndarray], progress: Progress | None
) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    keys = [embedding_key(chunk) for chunk in chunks]
    missing = sorted({key: chunk for key, chunk in zip(keys, chunks) if key not in cache}.items())
    fresh: dict[str, np.ndarray] = {}
    step = 16
    for begin in range(0, len(missing), step):
        if progress:
            progress("嵌入", begin, len(missing))
        batch = missing[begin : begin + step]
        matrix = encoder.encode_passages([chunk.context_text() for _, chunk in batch])
        fresh.update({key: vector for (key, _), vector in zip(batch, matrix)})
    if progress and missing:
        progress("嵌入", len(missing), len(missing))
    # 缓存只保留当前段落的向量，避免无限增长
    merged = {key: fresh[key] if key in fresh else cache[key] for key in keys}
    vectors = np.vstack([merged[key] for key in keys]).astype(np.float32) if keys else np.zeros((0, encoder.dim), np.float32)
    return vectors, merged, len(missing)


def _previous_index(index_dir: Path):
    if read_manifest(index_dir) is None:
        return None
    return read_index(index_dir)


def _chunks_by_doc(chunks: list[Chunk]) -> dict[str, list[Chunk]]:
    grouped: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        grouped.setdefault(chunk.doc, []).append(chunk)
    return grouped


def _manifest(
    documents: list[Document], chunks: list[Chunk], encoder: Encoder, model_name: str, settings: ChunkSettings, started: float
) -> dict:
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.doc] = counts.get(chunk.doc, 0) + 1
    return {
        "format_version": FORMAT_VERSION,
        "qa_version": __version__,
        "encoder": {"id": encoder.id, "model": model_name, "dim": encoder.dim},
        "chunker": settings.as_dict(),
        "tokenizer_version": TOKENIZER_VERSION,
        "documents": {d.doc: _document_entry(d, counts.get(d.doc, 0)) for d in documents},
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 3),
    }


def _document_entry(document: Document, chunks: int) -> dict:
    """What the manifest keeps of a document: its fingerprint and, for PDFs, Word, web pages and sheets, its type,
    pages, tables and where each stretch of its text came from (for citations)."""
    entry = {"sha256": document.sha256, "chunks": chunks, "title": document.title, "kind": document.kind}
    if document.pages is not None:
        entry["pages"] = document.pages
    if document.tables:
        entry["tables"] = document.tables
    if document.locations:
        entry["locations"] = [location.as_dict() for location in document.locations]
    return entry


def _report(manifest, added, changed, removed, embedded, reused, skipped: list[Skipped], started, documents: list[Document]) -> BuildReport:
    return BuildReport(
        docs=len(manifest["documents"]),
        chunks=sum(d["chunks"] for d in manifest["documents"].values()),
        docs_added=added,
        docs_changed=changed,
        docs_removed=removed,
        chunks_embedded=embedded,
        chunks_reused=reused,
        model=manifest["encoder"]["id"],
        seconds=round(time.perf_counter() - started, 3),
        skipped=[asdict(item) for item in skipped],
        warnings=[{"doc": document.doc, "reason": note} for document in documents for note in document.notes],
    )

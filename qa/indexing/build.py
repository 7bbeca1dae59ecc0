"""Corpus folder -> index folder, incrementally: only added or changed texts are chunked and embedded."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
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
from qa.indexing.store import (
    FORMAT_VERSION,
    MANIFEST,
    REBUILD_HINT,
    SEGMENTS,
    IndexUnavailable,
    build_lock,
    covered_segments,
    embed_lock,
    live_rows,
    missing_batches,
    read_legacy_cache,
    read_manifest,
    read_segment,
    read_segment_chunks,
    read_segment_tokens,
    remove_legacy_files,
    remove_unlisted,
    seal_segment,
    segment_entry,
    write_batch,
    write_manifest,
    write_segment,
)
from qa.indexing.tokenize import TOKENIZER_VERSION, Tokenizer
from qa.indexing.ann import ANN_MIN_CHUNKS, ANN_STALE_SHARE, build_hnsw, extend_hnsw, read_ann, write_ann
from qa.text.time import document_years, years_meant
from qa.types import Chunk, Document

Progress = Callable[[str, int, int], None]  # (阶段, 已完成, 总数)

# 压缩：所有段都有了向量之后，死行超过这个比例、或段数超过这个数，就把全部段合成一个
COMPACT_DEAD_SHARE = 0.25
MAX_SEGMENTS = 8
NONZERO_NORM = 0.5  # 向量都归一化了；零向量是没算的死行，不能拿去复用


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
    published: dict[str, dict | None] = field(default_factory=dict)  # 每篇文档的发布日期：{"date", "source"}，不知道的为 null

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
    should_stop: Callable[[], bool] | None = None,
) -> BuildReport:
    """Bring index_dir up to date with corpus_dir (`rebuild` ignores whatever is there): the texts first, searchable
    by BM25 as soon as they are in, then every vector still missing. Killed at any moment, the index stays readable
    and the next run goes on from the batches already on disk."""
    started = time.perf_counter()
    if encoder is None:
        encoder = load_encoder(model_for_index(index_dir, model, rebuild))
    report = update_index(corpus_dir, index_dir, encoder, model, rebuild, settings, progress)
    embedded = embed_pending(index_dir, encoder, progress, should_stop)
    return replace(
        report, chunks_embedded=embedded.embedded, chunks_reused=report.chunks - embedded.embedded, seconds=round(time.perf_counter() - started, 3)
    )


def update_index(
    corpus_dir: Path,
    index_dir: Path,
    encoder: Encoder,
    model: str | None = None,
    rebuild: bool = False,
    settings: ChunkSettings = ChunkSettings(),
    progress: Progress | None = None,
) -> BuildReport:
    """Phase one, seconds even for a large upload: read the corpus, cut new and changed texts into a new segment,
    point their documents at it (dropping removed ones) and rebuild BM25 from the stored words. The new texts are
    searchable by BM25 when this returns; their vectors are computed by `embed_pending`."""
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise IndexUnavailable(f"语料文件夹 {corpus_dir} 不存在。")
    with build_lock(index_dir):
        on_disk = _manifest_on_disk(index_dir, rebuild)
        remove_unlisted(index_dir, on_disk)  # 上次被杀掉的构建留下的半成品
        old = None if rebuild else on_disk
        model_name = resolve_model_name(model or (old["encoder"]["model"] if old else None))
        if old and old["encoder"]["id"] != encoder.id:
            raise IndexUnavailable(
                f"现有索引用编码器 {old['encoder']['id']} 构建，这次要用 {encoder.id}；"
                f"换模型{REBUILD_HINT}（例如 `qa index --rebuild --model {model_name}`）。"
            )
        documents, skipped = read_corpus(corpus_dir, progress)
        added, changed, removed, recut = corpus_changes(documents, old, settings)
        if old and not (added or changed or removed or recut):
            return _report(old, [], [], [], skipped, started, documents)

        fresh = [d for d in documents if recut or d.doc in added or d.doc in changed]
        segments = list(old["segments"]) if old else []
        placed = {doc: (entry["segment"], entry["chunks"]) for doc, entry in (old["documents"] if old else {}).items()}
        new_tokens: list[list[str]] = []
        if fresh:
            name = _next_segment_name(index_dir)
            new_chunks = chunk_documents(fresh, settings)
            new_tokens = bm25_tokens(new_chunks, Tokenizer(), published_years_of(fresh))
            write_segment(index_dir, name, new_chunks, new_tokens)
            segments.append(segment_entry(name, len(new_chunks)))
            counts = Counter(chunk.doc for chunk in new_chunks)
            placed.update({d.doc: (name, counts.get(d.doc, 0)) for d in fresh})
        generation = (old["generation"] + 1) if old else _next_generation(on_disk)
        manifest = _manifest(documents, placed, segments, generation, encoder, model_name, settings, started)
        manifest["ann"] = old.get("ann") if old else None
        _write_bm25(index_dir, manifest, new_tokens if fresh else [], progress)
        write_manifest(index_dir, manifest)
        remove_unlisted(index_dir, manifest)  # 上一代 BM25；重建时连同旧段一起
        return _report(manifest, added, changed, removed, skipped, started, documents)


def chunk_documents(documents: list[Document], settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """The documents' chunks in order, each document split by its sections first."""
    return [chunk for document in documents for chunk in chunk_document(document, split_sections(document), settings)]


def read_corpus(corpus_dir: Path, progress: Progress | None = None) -> tuple[list[Document], list[Skipped]]:
    """The corpus's readable documents and the skipped files; IndexUnavailable (with the reasons) when none is."""
    documents, skipped = load_corpus(corpus_dir, progress)
    if not documents:
        reasons = "；".join(f"{item.doc}：{item.reason}" for item in skipped)
        raise IndexUnavailable(f"语料文件夹 {corpus_dir} 里没有可读的文件（支持 {'、'.join(SUPPORTED_SUFFIXES)}）。{reasons}")
    return documents, skipped


def corpus_changes(documents: list[Document], old: dict | None, settings: ChunkSettings) -> tuple[list[str], list[str], list[str], bool]:
    """(added, changed, removed, recut) against the previous manifest of any store. A new chunker counts every
    file as added; a new chunker or BM25 tokenizer means everything is cut and tokenised again (recut), the vectors
    being reused by text."""
    old_docs = old["documents"] if old else {}
    if old and old["chunker"] != settings.as_dict():
        old_docs = {}
    recut = bool(old) and (old["chunker"] != settings.as_dict() or old.get("tokenizer_version") != TOKENIZER_VERSION)
    added = [d.doc for d in documents if d.doc not in old_docs]
    # 同样的文字、别的发布日期（文件另存过）也算改了：「去年」所指的年份变了，BM25 记的年份要重算。
    # 要重切的旧索引（记日期之前的版本）不比日期：它整个都要重算
    changed = [
        d.doc
        for d in documents
        if d.doc in old_docs
        and (old_docs[d.doc]["sha256"] != d.sha256 or not recut and old_docs[d.doc].get("published") != _published_entry(d))
    ]
    removed = sorted(set(old["documents"] if old else ()) - {d.doc for d in documents})
    return added, changed, removed, recut


@dataclass(frozen=True)
class EmbedReport:
    embedded: int  # 这次真的算了的段落
    reused: int  # 文字与已有段落相同、直接拿来的


def embed_pending(
    index_dir: Path, encoder: Encoder, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None
) -> EmbedReport:
    """Phase two: compute the vectors every segment still lacks, batch by batch, each batch on disk before the next
    (a chunk whose text some segment already has a vector for reuses it); then seal finished segments and compact.
    Waits while another process is doing the same; returns early when `should_stop` says so."""
    embedded = reused = 0
    with embed_lock(index_dir):
        while True:
            manifest = read_manifest(index_dir)
            if manifest is None:
                return EmbedReport(0, 0)
            if manifest["encoder"]["id"] != encoder.id:
                raise IndexUnavailable(f"索引用编码器 {manifest['encoder']['id']} 构建，当前编码器是 {encoder.id}，{REBUILD_HINT}。")
            pending = [(entry, missing_batches(index_dir, entry)) for entry in manifest["segments"]]
            pending = [(entry, batches) for entry, batches in pending if batches]
            if not pending:
                break
            rows = sum(min(entry["batch"], entry["chunks"] - batch * entry["batch"]) for entry, batches in pending for batch in batches)
            known = _known_vectors(index_dir, manifest)
            done = 0
            for entry, batches in pending:
                chunks = read_segment_chunks(index_dir, entry["name"])
                live = set(live_rows(manifest, entry["name"], chunks).tolist())
                for batch in batches:
                    if should_stop and should_stop():
                        return EmbedReport(embedded, reused)
                    if progress:
                        progress("嵌入", done, rows)
                    begin = batch * entry["batch"]
                    part = chunks[begin : begin + entry["batch"]]
                    vectors, computed = _batch_vectors(part, [begin + i in live for i in range(len(part))], encoder, known)
                    try:
                        write_batch(index_dir, entry["name"], batch, vectors)
                    except FileNotFoundError:
                        break  # 这个段刚被另一次重建删掉了
                    embedded += computed
                    reused += sum(begin + i in live for i in range(len(part))) - computed
                    done += len(part)
                if not missing_batches(index_dir, entry):
                    seal_segment(index_dir, entry, encoder.dim)
            if progress:
                progress("嵌入", rows, rows)
    compact(index_dir)
    return EmbedReport(embedded, reused)


def compact(index_dir: Path) -> None:
    """Once every segment has its vectors: merge all segments into one when dead rows are a large share or there
    are many segments (removing marks, compaction drops); then the approximate index, where the size calls for it."""
    with build_lock(index_dir):
        _merge_segments(index_dir)
    refresh_ann(index_dir)


def _merge_segments(index_dir: Path) -> None:
    """The merge itself, under the build lock; what the new manifest no longer names is removed."""
    manifest = read_manifest(index_dir)
    if manifest is None or any(missing_batches(index_dir, entry) for entry in manifest["segments"]):
        return
    remove_legacy_files(index_dir)
    rows = sum(entry["chunks"] for entry in manifest["segments"])
    live = sum(entry["chunks"] for entry in manifest["documents"].values())
    if len(manifest["segments"]) <= MAX_SEGMENTS and rows - live <= COMPACT_DEAD_SHARE * rows:
        return
    dim = manifest["encoder"]["dim"]
    chunks, tokens, vectors = [], [], []
    for entry in manifest["segments"]:
        segment = read_segment(index_dir, entry, dim)
        keep = live_rows(manifest, entry["name"], segment.chunks)
        segment_tokens = read_segment_tokens(index_dir, entry["name"])
        chunks.extend(segment.chunks[i] for i in keep)
        tokens.extend(segment_tokens[i] for i in keep)
        vectors.append(np.asarray(segment.vectors[keep]))
    name = _next_segment_name(index_dir)
    write_segment(index_dir, name, chunks, tokens, np.vstack(vectors) if vectors else np.zeros((0, dim), np.float32))
    # 合并后行的顺序不变，BM25 照用
    documents = {doc: {**entry, "segment": name} for doc, entry in manifest["documents"].items()}
    merged = {**manifest, "documents": documents, "segments": [segment_entry(name, len(chunks))], "ann": None}
    write_manifest(index_dir, merged)
    remove_unlisted(index_dir, merged)


def refresh_ann(index_dir: Path) -> None:
    """Past ANN_MIN_CHUNKS live chunks, build the HNSW graph when there is none, or append the segments it does not
    cover once they pass ANN_STALE_SHARE of it. Built outside the build lock (an upload is not kept waiting) and put
    in only if the segments are still the ones it was built on."""
    manifest = read_manifest(index_dir)
    if manifest is None or any(missing_batches(index_dir, entry) for entry in manifest["segments"]):
        return
    names = [entry["name"] for entry in manifest["segments"]]
    covered_count = covered_segments(manifest)
    covered = sum(entry["chunks"] for entry in manifest["segments"][:covered_count])
    rows = sum(entry["chunks"] for entry in manifest["segments"])
    live = sum(entry["chunks"] for entry in manifest["documents"].values())
    if live < ANN_MIN_CHUNKS or (covered and rows - covered <= ANN_STALE_SHARE * covered):
        return
    dim = manifest["encoder"]["dim"]

    def vectors_of(entries: list[dict]) -> np.ndarray:
        return np.vstack([np.asarray(read_segment(index_dir, entry, dim).vectors) for entry in entries])

    if covered:  # 追加后来的段：约为重建的 3%，召回相同（bench_ann.py）
        graph = extend_hnsw(read_ann(Path(index_dir) / manifest["ann"]["file"]), vectors_of(manifest["segments"][covered_count:]))
    else:
        graph = build_hnsw(vectors_of(manifest["segments"]))
    file = f"ann-{manifest['generation']:06d}-{len(names)}.faiss"
    with build_lock(index_dir):
        current = read_manifest(index_dir)
        if current is None or [entry["name"] for entry in current["segments"]][: len(names)] != names:
            return  # 这期间段变了（压缩、重建）：下次再建
        write_ann(Path(index_dir) / file, graph)
        current["ann"] = {"file": file, "segments": names}
        write_manifest(index_dir, current)
        remove_unlisted(index_dir, current)


def outdated_rules(manifest: dict) -> str | None:
    """How an index built by older heading or BM25 rules falls behind this version (None when it does not): it
    still answers, but `qa index` would re-cut or re-tokenise it (reusing its vectors)."""
    behind = []
    if manifest.get("chunker", {}).get("sections_version") != ChunkSettings().sections_version:
        behind.append("标题识别")
    if manifest.get("tokenizer_version") != TOKENIZER_VERSION:
        behind.append("关键词检索")
    return "、".join(behind) or None


def bm25_tokens(chunks: list[Chunk], tokenizer: Tokenizer, published: dict[str, int] | None = None) -> list[list[str]]:
    """The words BM25 indexes for each chunk: its title, section path and text, plus the years its unwritten
    times stand for (anchored on the document's publication year, `published` by file name, where known); a chunk
    with no words gets one empty placeholder (bm25s refuses empty documents)."""
    doc_years = document_years(chunks, published)
    token_lists = []
    for chunk in chunks:
        context = chunk.context_text()
        years = years_meant(context, doc_years.get(chunk.doc))
        token_lists.append(tokenizer.tokens(context + "".join(f" {year}年" for year in years)) or [""])
    return token_lists


def published_years_of(documents: list[Document]) -> dict[str, int]:
    """The publication year of each document that has one, by file name."""
    return {d.doc: d.published.year for d in documents if d.published is not None}


def embedding_key(chunk: Chunk) -> str:
    """Cache key of a chunk: the hash of exactly what the encoder sees."""
    return hashlib.sha256(chunk.context_text().encode("utf-8")).hexdigest()


def _batch_vectors(chunks: list[Chunk], wanted: list[bool], encoder: Encoder, known: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """Vectors for one batch: known texts reused, the rest encoded; rows no longer live (their document changed
    again before they were embedded) stay zero and are never reused. Returns (vectors, how many were encoded)."""
    vectors = np.zeros((len(chunks), encoder.dim), dtype=np.float32)
    keys = [embedding_key(chunk) for chunk in chunks]
    todo = [i for i, key in enumerate(keys) if wanted[i] and key not in known]
    if todo:
        vectors[todo] = encoder.encode_passages([chunks[i].context_text() for i in todo])
    for i, key in enumerate(keys):
        if wanted[i] and key in known:
            vectors[i] = known[key]
        elif wanted[i]:
            known[key] = vectors[i]
    return vectors, len(todo)


def _known_vectors(index_dir: Path, manifest: dict) -> dict[str, np.ndarray]:
    """Every vector already on disk (dead rows included: a changed text keeps the vectors of its unchanged
    paragraphs), and a format-1 index's cache, keyed by the hash of the embedded text."""
    known = read_legacy_cache(index_dir, manifest["encoder"]["id"])
    for entry in manifest["segments"]:
        segment = read_segment(index_dir, entry, manifest["encoder"]["dim"])
        for chunk, vector, present in zip(segment.chunks, segment.vectors, segment.present):
            if present and np.linalg.norm(vector) > NONZERO_NORM:
                known[embedding_key(chunk)] = np.asarray(vector)
    return known


def _write_bm25(index_dir: Path, manifest: dict, new_tokens: list[list[str]], progress: Progress | None) -> None:
    """BM25 over the live chunks in manifest order, from the words each segment stored (nothing re-tokenised)."""
    token_lists: list[list[str]] = []
    last = manifest["segments"][-1]["name"] if manifest["segments"] else None
    for entry in manifest["segments"]:
        name = entry["name"]
        tokens = new_tokens if new_tokens and name == last else read_segment_tokens(index_dir, name)
        chunks = read_segment_chunks(index_dir, name)
        token_lists.extend(tokens[i] for i in live_rows(manifest, name, chunks))
    bm25 = bm25s.BM25()
    bm25.index(token_lists, show_progress=False)
    folder = Path(index_dir) / manifest["bm25"]
    building = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    bm25.save(str(building), show_progress=False, allow_pickle=False)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(building, folder)
    if progress:
        progress("BM25", 1, 1)


def _manifest_on_disk(index_dir: Path, rebuild: bool) -> dict | None:
    """The current manifest; a format-1 or damaged one counts as none (its vectors are still reused through the
    legacy cache) when rebuilding or upgrading from format 1."""
    try:
        return read_manifest(index_dir)
    except IndexUnavailable:
        legacy = _legacy_version(index_dir)
        if rebuild or legacy == 1:
            return None
        raise


def _legacy_version(index_dir: Path) -> int | None:
    try:
        return json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8")).get("format_version")
    except (OSError, ValueError, AttributeError):
        return None


def model_for_index(index_dir: Path, model: str | None, rebuild: bool = False) -> str:
    """The model asked for, else the one the existing index was built with."""
    if model or rebuild:
        return resolve_model_name(model)
    try:
        manifest = read_manifest(index_dir)
    except IndexUnavailable:
        manifest = None
    return resolve_model_name(manifest["encoder"]["model"] if manifest else None)


def _next_segment_name(index_dir: Path) -> str:
    folder = Path(index_dir) / SEGMENTS
    numbers = [int(path.name) for path in folder.iterdir() if path.name.isdigit()] if folder.exists() else []
    return f"{max(numbers, default=0) + 1:06d}"


def _next_generation(on_disk: dict | None) -> int:
    return on_disk["generation"] + 1 if on_disk else 1


def _manifest(
    documents: list[Document],
    placed: dict[str, tuple[str, int]],
    segments: list[dict],
    generation: int,
    encoder: Encoder,
    model_name: str,
    settings: ChunkSettings,
    started: float,
) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "qa_version": __version__,
        "encoder": {"id": encoder.id, "model": model_name, "dim": encoder.dim},
        "chunker": settings.as_dict(),
        "tokenizer_version": TOKENIZER_VERSION,
        "documents": {d.doc: document_entry(d, placed[d.doc][1], placed[d.doc][0]) for d in documents},
        "segments": segments,
        "generation": generation,
        "bm25": f"bm25-{generation:06d}",
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 3),
    }


def document_entry(document: Document, chunks: int, segment: str | None = None) -> dict:
    """What the manifest keeps of a document: its fingerprint, its publication date when known and, for PDFs, Word,
    web pages and sheets, its type, pages, tables and where each stretch of its text came from (for citations)."""
    entry = {"sha256": document.sha256, "chunks": chunks, "title": document.title, "kind": document.kind}
    if segment is not None:  # 索引文件夹：这篇文档的段落在哪个段里
        entry["segment"] = segment
    if document.pages is not None:
        entry["pages"] = document.pages
    if document.tables:
        entry["tables"] = document.tables
    if document.locations:
        entry["locations"] = [location.as_dict() for location in document.locations]
    if document.published is not None:
        entry["published"] = _published_entry(document)
    if document.notes:  # 读入时的提醒（某几页没有文字层、改用了 PDF 自带的文字）：知识库表格里给用户看
        entry["notes"] = list(document.notes)
    return entry


def _published_entry(document: Document) -> dict | None:
    """The manifest's record of when a document was published: {"date": "2024-01-10", "source": "网页 meta"}."""
    return document.published.as_dict() if document.published is not None else None


def _report(manifest, added, changed, removed, skipped: list[Skipped], started, documents: list[Document]) -> BuildReport:
    """The phase-one report; `build_index` fills in what the embedding did."""
    chunks = sum(d["chunks"] for d in manifest["documents"].values())
    return BuildReport(
        docs=len(manifest["documents"]),
        chunks=chunks,
        docs_added=added,
        docs_changed=changed,
        docs_removed=removed,
        chunks_embedded=0,
        chunks_reused=chunks,
        model=manifest["encoder"]["id"],
        seconds=round(time.perf_counter() - started, 3),
        skipped=[asdict(item) for item in skipped],
        warnings=[{"doc": document.doc, "reason": note} for document in documents for note in document.notes],
        published=published_report(manifest),
    )


def published_report(manifest: dict) -> dict[str, dict | None]:
    """`qa index --json`'s "published": each indexed document's publication date and where it was read, or None."""
    return {doc: entry.get("published") for doc, entry in sorted(manifest["documents"].items())}

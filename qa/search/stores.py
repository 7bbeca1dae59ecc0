"""Where search reads chunks, vectors and BM25 from: the index folder on disk (the default) or another store with
the same three questions (qa.search.milvus)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import bm25s
import numpy as np

from qa.indexing.store import (
    REBUILD_HINT,
    IndexUnavailable,
    Segment,
    covered_segments,
    live_rows,
    read_manifest,
    read_segment,
)
from qa.indexing.ann import ApproximateDense, read_ann
from qa.types import Chunk


@dataclass(frozen=True)
class DenseScores:
    """The question's similarity to every chunk: NaN for a chunk whose vector is not computed yet; `mean` and `std`
    over the chunks that have one (exact even where only the top candidates' values are)."""

    values: np.ndarray
    mean: float
    std: float


@dataclass(frozen=True)
class EmbeddingState:
    """How many of the live chunks have their vector."""

    embedded: int
    total: int

    @property
    def complete(self) -> bool:
        return self.embedded >= self.total


class Store(Protocol):
    """What SearchIndex needs from wherever the index lives; row i of every score array is `chunks[i]`."""

    manifest: dict
    chunks: list[Chunk]

    def dense_scores(self, query: np.ndarray) -> DenseScores: ...

    def bm25_scores(self, tokens: list[str]) -> np.ndarray: ...


class FolderStore:
    """The index folder, loaded: chunks in manifest order, vectors memory-mapped per segment, BM25 from its folder."""

    def __init__(
        self, index_dir: Path, manifest: dict, segments: list[Segment], rows: list[np.ndarray], bm25: bm25s.BM25, graph=None
    ):
        self.index_dir = Path(index_dir)
        self.manifest = manifest
        self._segments = segments
        self._rows = rows  # 每段里仍有效的行
        self.chunks = [segment.chunks[i] for segment, live in zip(segments, rows) for i in live]
        self._bm25 = bm25
        self._vocab = bm25.vocab_dict
        self._graph = graph
        self._approximate = ApproximateDense(graph, covered_segments(manifest), segments, rows) if graph is not None else None

    @classmethod
    def open(cls, index_dir: Path) -> FolderStore:
        """Load the folder; a missing or damaged part is an IndexUnavailable that names the fix."""
        manifest = read_manifest(index_dir)
        if manifest is None:
            raise IndexUnavailable(f"在 {index_dir} 没有找到索引，请先运行 `qa index`。")
        dim = manifest["encoder"]["dim"]
        try:
            segments = [read_segment(index_dir, entry, dim) for entry in manifest["segments"]]
            bm25 = bm25s.BM25.load(str(Path(index_dir) / manifest["bm25"]), mmap=True, show_progress=False, allow_pickle=False)
            graph = read_ann(Path(index_dir) / manifest["ann"]["file"]) if manifest.get("ann") else None
        except IndexUnavailable:
            raise
        except Exception as error:  # json、numpy、bm25s 的异常各不相同，统一成一条能照做的提示
            raise IndexUnavailable(f"索引文件已损坏或不完整（{error}），{REBUILD_HINT}。") from error
        rows = [live_rows(manifest, segment.name, segment.chunks) for segment in segments]
        store = cls(index_dir, manifest, segments, rows, bm25, graph)
        documented = sum(entry["chunks"] for entry in manifest["documents"].values())
        if len(store.chunks) != documented or bm25.scores["num_docs"] != documented:
            raise IndexUnavailable(
                f"索引文件之间不一致（段落 {len(store.chunks)} 条，清单记 {documented} 条，BM25 {bm25.scores['num_docs']} 条），{REBUILD_HINT}。"
            )
        return store

    def dense_scores(self, query: np.ndarray) -> DenseScores:
        """Inner products with every live chunk that has a vector: exact (a matrix product per segment), or from the
        HNSW graph on an index past ANN_MIN_CHUNKS (qa.search.ann)."""
        if self._approximate is not None:
            return DenseScores(*self._approximate.scores(query))
        parts = []
        for segment, live in zip(self._segments, self._rows):
            scores = np.asarray(segment.vectors @ query, dtype=np.float32)
            scores[~segment.present] = np.nan
            parts.append(scores[live])
        values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        known = values[~np.isnan(values)]
        return DenseScores(values, float(known.mean()) if known.size else 0.0, float(known.std()) if known.size else 0.0)

    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk; words never seen in the corpus are ignored."""
        ids = [self._vocab[token] for token in tokens if token in self._vocab]
        if not ids:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def embedding_state(self) -> EmbeddingState:
        embedded = sum(int(segment.present[live].sum()) for segment, live in zip(self._segments, self._rows))
        return EmbeddingState(embedded, len(self.chunks))

    def embedded_by_document(self) -> Counter:
        """How many of each document's live chunks have their vector."""
        counts = Counter()
        for segment, live in zip(self._segments, self._rows):
            counts.update(segment.chunks[i].doc for i in live[segment.present[live]])
        return counts

    def with_new_vectors(self) -> FolderStore:
        """The same index with the vectors computed since it was loaded (segments still being embedded are read
        again; complete ones stay memory-mapped as they are). Chunks, BM25 and row order do not change."""
        dim = self.manifest["encoder"]["dim"]
        segments = [segment if segment.complete else read_segment(self.index_dir, segment.entry, dim) for segment in self._segments]
        return FolderStore(self.index_dir, self.manifest, segments, self._rows, self._bm25, self._graph)


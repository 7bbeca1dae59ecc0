"""Approximate dense search for large indexes: an HNSW graph over the vectors of whole segments, built in the
background once every vector is in; below ANN_MIN_CHUNKS exact search is fast enough and exactly right.
The sizes and parameters come from benchmarks/bench_ann.py (results/ann.json)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

# benchmarks/bench_ann.py（results/ann.json）：单线程精确检索的 p95 在约 18 万段时过 20 ms（10 万段 10.6 ms，30 万段
# 35 ms），而 HNSW 在那里快十几倍；低于它，精确检索又快又完全准确
ANN_MIN_CHUNKS = 180_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200  # 40 在 10 万段以上够不到 recall@10 0.99
HNSW_EF_SEARCH = 256  # 30 万段 recall@10 0.990；100 万段（合成向量）要 512 以上，见 ann.json
ANN_CANDIDATES = 200  # 近似检索取回的候选数：与 BM25 融合时用（faiss 按 max(efSearch, k) 搜）
SAMPLE_ROWS = 4096  # 算问题与全部段落相似度的均值、标准差时用的等距样本
ANN_STALE_SHARE = 0.1  # 图没覆盖的新段落超过它覆盖的 10% 就把新段并进图（追加只要重建的约 3%，召回相同）


def build_hnsw(vectors: np.ndarray):
    """An HNSW graph on inner product over the rows of `vectors` (ids = row numbers)."""
    import faiss  # 只有过了 ANN_MIN_CHUNKS 的索引才用到（启动时不导入）

    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def write_ann(path: Path, index) -> None:
    import faiss

    temporary = path.with_name(f".{path.name}.tmp")
    faiss.write_index(index, str(temporary))
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def extend_hnsw(graph, vectors: np.ndarray):
    """The graph with more rows appended (ids continue after the existing ones)."""
    graph.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return graph


def read_ann(path: Path):
    import faiss

    index = faiss.read_index(str(path))
    faiss.ParameterSpace().set_index_parameter(index, "efSearch", HNSW_EF_SEARCH)
    return index


class ApproximateDense:
    """Dense scores from the HNSW graph for the segments it covers, exact for segments added after it; chunks the
    graph does not return get the lowest returned score (they are at most that similar), and the mean and spread
    come from an evenly spaced sample, so z-scores stay on the exact scale."""

    def __init__(self, graph, covered: int, segments, rows: list[np.ndarray]):
        self.graph = graph
        self.covered = covered  # 图覆盖前几个段
        self.segments = segments
        self.rows = rows
        # 图里的编号是被覆盖各段所有行（含已删的）的连续编号；映射到仍有效的段落位置，删掉的为 -1
        position = np.full(sum(len(s.chunks) for s in segments[:covered]), -1, dtype=np.int64)
        offset = live_offset = 0
        self.live_starts = []
        for segment, live in zip(segments, rows):
            self.live_starts.append(live_offset)
            if len(self.live_starts) <= covered:
                position[offset + live] = live_offset + np.arange(len(live))
                offset += len(segment.chunks)
            live_offset += len(live)
        self.position = position
        self.total = live_offset
        self.covered_live = self.live_starts[covered] if covered < len(segments) else self.total
        self.sample = self._sample()

    def scores(self, query: np.ndarray) -> tuple[np.ndarray, float, float]:
        values = np.full(self.total, np.nan, dtype=np.float32)
        found, ids = self.graph.search(query[None, :].astype(np.float32), ANN_CANDIDATES)
        keep = ids[0] >= 0
        places = self.position[ids[0][keep]]
        alive = places >= 0
        floor = float(found[0][keep].min()) if keep.any() else -1.0
        values[: self.covered_live] = floor
        values[places[alive]] = found[0][keep][alive]
        for segment, live, start in list(zip(self.segments, self.rows, self.live_starts))[self.covered :]:
            exact = np.asarray(segment.vectors @ query, dtype=np.float32)
            exact[~segment.present] = np.nan
            values[start : start + len(live)] = exact[live]
        sampled = self.sample @ query
        return values, float(sampled.mean()), float(sampled.std())

    def _sample(self) -> np.ndarray:
        """Up to SAMPLE_ROWS live vectors, evenly spaced over the index."""
        pairs = [(segment, i) for segment, live in zip(self.segments, self.rows) for i in live if segment.present[i]]
        step = max(1, len(pairs) // SAMPLE_ROWS)
        return np.vstack([np.asarray(segment.vectors[i]) for segment, i in pairs[::step]]).astype(np.float32)

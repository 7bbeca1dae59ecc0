"""Scoring a Milvus store (a server, or a Milvus Lite file) built by `qa.indexing.milvus`: dense and BM25 scores of
every chunk for a query, as the folder index's `qa.search.stores.FolderStore` gives them."""

from __future__ import annotations

import base64
import json
import math
from collections import Counter

import numpy as np

from qa.indexing.embed import Encoder
from qa.indexing.milvus import (
    CHUNK_FIELDS,
    DEFAULT_PREFIX,
    MILVUS_FORMAT_VERSION,
    REBUILD_STORE_HINT,
    REOPEN_HINT,
    check_prefix,
    chunk_of,
    connect,
    ensure_loaded,
    generation_names,
    in_filter,
    milvus_errors,
    read_blob,
    read_current,
    read_rows,
)
from qa.indexing.store import IndexUnavailable
from qa.search.stores import DenseScores
from qa.types import Chunk

# Milvus 单次 search 最多返回这么多条（topk 上限）
MAX_SEARCH_LIMIT = 16384


class MilvusStore:
    """The live generation of a Milvus store: manifest and chunks in memory, scores computed by Milvus."""

    def __init__(self, client, prefix: str = DEFAULT_PREFIX, search_limit: int = MAX_SEARCH_LIMIT):
        self.client = client
        self.prefix = prefix
        self.search_limit = search_limit
        with milvus_errors("读取 Milvus 索引失败", "索引可能正在被 `qa index` 更新，请稍后重试"):
            current = read_current(client, prefix)
            if current is None:
                raise IndexUnavailable(f"Milvus 里没有名为 {prefix} 的问答索引。")
            self._current = current
            self._chunks_name, self._terms_name = generation_names(prefix, current["generation"])
            self.manifest: dict = json.loads(read_blob(client, prefix, "manifest", current))
            if self.manifest.get("format_version") != MILVUS_FORMAT_VERSION:
                raise IndexUnavailable(
                    f"Milvus 索引格式版本为 {self.manifest.get('format_version')}，当前程序需要 {MILVUS_FORMAT_VERSION}，{REBUILD_STORE_HINT}。"
                )
            for name in (self._chunks_name, self._terms_name):
                ensure_loaded(client, name)
            rows = read_rows(client, self._chunks_name, current["chunks"], list(CHUNK_FIELDS))
        self.chunks: list[Chunk] = [chunk_of(row) for row in rows]
        self._moments: tuple[np.ndarray, np.ndarray] | None = None
        documented = sum(entry["chunks"] for entry in self.manifest["documents"].values())
        if len(self.chunks) != documented:
            raise IndexUnavailable(
                f"Milvus 索引不完整（清单记 {documented} 段，实有 {len(self.chunks)} 段），{REBUILD_STORE_HINT}。"
            )

    @property
    def generation(self) -> int:
        """Which build this is: a later `qa index` writes the next one and drops this one."""
        return self._current["generation"]

    @property
    def bm25_statistics(self) -> dict:
        """N, avgdl and the BM25 parameters the sparse vectors were weighted with."""
        return self._current["bm25"]

    def dense_scores(self, query: np.ndarray) -> DenseScores:
        """Inner product (the cosine: vectors are normalised) of the query vector with every chunk's vector."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        values, complete = self._search("dense", query.tolist())
        if not complete:
            # 只拿到前 search_limit 个：均值和标准差由构建时存下的均值向量和协方差矩阵精确算出
            mean, covariance = self._dense_moments()
            spread = float(query @ covariance @ query)
            return DenseScores(values=values, mean=float(query @ mean), std=math.sqrt(max(spread, 0.0)))
        scored = values[~np.isnan(values)]
        if not scored.size:
            return DenseScores(values=values, mean=0.0, std=0.0)
        return DenseScores(values=values, mean=float(scored.mean()), std=float(scored.std()))

    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query words (0 where none occurs), as bm25s scores them."""
        counts = Counter(tokens)
        dims = self._term_dims(list(counts))
        # 重复的词按次数计分，与 bm25s.get_scores_from_ids 一致
        query = {dims[token]: float(count) for token, count in counts.items() if token in dims}
        if not query:
            return np.zeros(len(self.chunks), dtype=np.float32)
        values, _ = self._search("bm25", query)
        return np.nan_to_num(values, nan=0.0)

    def close(self) -> None:
        self.client.close()

    def _search(self, field: str, query) -> tuple[np.ndarray, bool]:
        """A score per chunk (NaN where Milvus returned none) from one search over every row, and whether the
        search could cover every row.

        Milvus returns at most MAX_SEARCH_LIMIT rows per search: in a larger corpus the rows it leaves out get the
        lowest score it returned, so they rank below every returned one (a cluster-scale search would fuse over the
        returned candidates instead of over every chunk)."""
        values = np.full(len(self.chunks), np.nan, dtype=np.float32)
        if not self.chunks:
            return values, True
        limit = min(len(self.chunks), self.search_limit)
        with milvus_errors("Milvus 检索失败", REOPEN_HINT):
            hits = self.client.search(
                self._chunks_name,
                data=[query],
                anns_field=field,
                limit=limit,
                output_fields=["seq"],
                search_params={"metric_type": "IP"},
            )[0]
        if hits:
            values[[hit["entity"]["seq"] for hit in hits]] = [hit["distance"] for hit in hits]
        complete = limit == len(self.chunks)
        if not complete and len(hits) == limit:
            values[np.isnan(values)] = min(hit["distance"] for hit in hits)
        return values, complete

    def _term_dims(self, terms: list[str]) -> dict[str, int]:
        """Sparse dimension of each query word the corpus has."""
        terms = [term for term in terms if term]
        if not terms:
            return {}
        with milvus_errors("Milvus 检索失败", REOPEN_HINT):
            rows = self.client.query(self._terms_name, filter=in_filter("term", terms), output_fields=["term", "dim"])
        return {row["term"]: row["dim"] for row in rows}

    def _dense_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean vector and covariance matrix of the chunk vectors (read on first need: dim² numbers)."""
        if self._moments is None:
            dim = self.manifest["encoder"]["dim"]
            with milvus_errors("Milvus 检索失败", REOPEN_HINT):
                encoded = read_blob(self.client, self.prefix, "moments", self._current)
            numbers = np.frombuffer(base64.b64decode(encoded), dtype="<f8")
            self._moments = numbers[:dim], numbers[dim:].reshape(dim, dim)
        return self._moments


def open_milvus(uri: str, prefix: str = DEFAULT_PREFIX, encoder: Encoder | None = None) -> MilvusStore:
    """The store at `uri` (see parse_store_uri); IndexUnavailable when it cannot be reached, holds no index, or was
    built with another encoder than the one given."""
    check_prefix(prefix)
    client = connect(uri)
    if read_current(client, prefix) is None:
        raise IndexUnavailable(f"{uri} 里还没有问答索引，请先运行 `qa index --store {uri}`。")
    store = MilvusStore(client, prefix)
    built_with = store.manifest["encoder"]["id"]
    if encoder is not None and built_with != encoder.id:
        raise IndexUnavailable(
            f"Milvus 索引用编码器 {built_with} 构建，当前编码器是 {encoder.id}；请运行 `qa index --rebuild --store {uri}` 重建。"
        )
    return store

"""Question -> ranked Hits: BM25 over jieba words and dense E5 vectors, fused on one score scale."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.indexing.embed import Encoder, load_encoder
from qa.indexing.store import REBUILD_HINT, IndexUnavailable
from qa.search.stores import DenseScores, FolderStore, Store
from qa.indexing.tokenize import Tokenizer
from qa.types import Chunk, Hit

RETRIEVERS = ("hybrid", "dense", "bm25")
MAX_QUESTION_CHARS = 500  # 更长的输入多半是误粘贴；截断后仍可检索


@dataclass(frozen=True)
class FusionSettings:
    """How dense and BM25 scores are combined; chosen on eval/questions.jsonl (benchmarks/tune_fusion.py).

    "zscore" standardises each retriever's scores over the whole corpus and takes the weighted mean:
    a passage far above the rest in either retriever stays on top, which rank-only RRF throws away
    (equal RRF scored below BM25 alone on the development set).
    """

    method: str = "zscore"  # or "rrf"
    dense_weight: float = 0.5  # BM25 gets 1 - dense_weight (zscore) or 1.0 (rrf)
    rrf_k: int = 60
    rrf_candidates: int = 50


class SearchIndex:
    """A loaded index with its encoder and tokenizer, ready to answer `search`."""

    def __init__(self, store: Store, encoder: Encoder, tokenizer: Tokenizer | None = None):
        if store.manifest["encoder"]["id"] != encoder.id:
            raise IndexUnavailable(
                f"索引用编码器 {store.manifest['encoder']['id']} 构建，当前编码器是 {encoder.id}，{REBUILD_HINT}。"
            )
        self.store = store
        self.encoder = encoder
        self.tokenizer = tokenizer or Tokenizer()

    @property
    def chunks(self) -> list[Chunk]:
        return self.store.chunks

    @property
    def manifest(self) -> dict:
        return self.store.manifest

    def refresh_vectors(self) -> None:
        """Take in the vectors computed since the index was loaded (the background embedding); chunks and BM25
        stay as they are. One assignment: a search running now finishes on the state it started with."""
        refreshed = getattr(self.store, "with_new_vectors", None)
        if refreshed is not None:
            self.store = refreshed()

    def search(
        self,
        question: str,
        k: int = 5,
        retriever: str = "hybrid",
        fusion: FusionSettings = FusionSettings(),
        documents: frozenset[str] | None = None,
    ) -> list[Hit]:
        """Top-k chunks for the question; `retriever` picks hybrid, dense or bm25 alone; `documents`, when
        given, keeps only chunks of those documents (the question names one: 「根据2013年政府工作报告」)."""
        if retriever not in RETRIEVERS:
            raise ValueError(f"未知的检索方式 {retriever!r}，可选：{', '.join(RETRIEVERS)}")
        question = clean_question(question)
        if not self.chunks:
            return []
        dense = self.dense_scores(question) if retriever != "bm25" else None
        bm25 = self.bm25_scores(question) if retriever != "dense" else None
        if retriever == "dense":
            fused = np.nan_to_num(dense.values, nan=-np.inf)  # 还没有向量的段落不参加纯向量检索
        elif retriever == "bm25":
            fused = bm25
        else:
            fused = fuse(dense, bm25, fusion)
        if documents:
            outside = np.array([chunk.doc not in documents for chunk in self.chunks])
            fused = np.where(outside, -np.inf, fused)
        order = [i for i in np.argsort(-fused, kind="stable")[:k] if np.isfinite(fused[i])]
        return [
            Hit(
                chunk=self.chunks[i],
                score=float(fused[i]),
                rank=rank,
                dense_score=None if dense is None or np.isnan(dense.values[i]) else float(dense.values[i]),
                bm25_score=None if bm25 is None else float(bm25[i]),
            )
            for rank, i in enumerate(order, start=1)
            if retriever != "bm25" or fused[i] > 0
        ]

    def dense_scores(self, question: str) -> DenseScores:
        """Cosine similarity of the question to every chunk (NaN where a chunk's vector is still being computed)."""
        return self.store.dense_scores(self.encoder.encode_queries([question])[0])

    def bm25_scores(self, question: str) -> np.ndarray:
        """BM25 score of every chunk; words never seen in the corpus are ignored."""
        return self.store.bm25_scores(self.tokenizer.tokens(question))


def clean_question(question: str) -> str:
    """The question trimmed to a searchable length; ValueError (Chinese message) when it has no content."""
    text = " ".join((question or "").split())[:MAX_QUESTION_CHARS]
    if not any(char.isalnum() for char in text):
        raise ValueError("问题是空的（或只有标点），请输入要查询的内容。")
    return text


def fuse(dense: DenseScores, bm25: np.ndarray, fusion: FusionSettings) -> np.ndarray:
    """One fused score per chunk, higher is better. A chunk whose vector is not computed yet is ranked by BM25
    alone, on the same standardised scale (new texts are searchable before their vectors exist)."""
    if fusion.method == "rrf":
        return _reciprocal_rank_fusion(np.nan_to_num(dense.values, nan=-np.inf), bm25, fusion)
    bm25_z = _standardise(bm25, float(bm25.mean()), float(bm25.std()))
    dense_z = _standardise(dense.values, dense.mean, dense.std)
    fused = fusion.dense_weight * dense_z + (1 - fusion.dense_weight) * bm25_z
    return np.where(np.isnan(dense.values), bm25_z, fused).astype(np.float32)


def _standardise(scores: np.ndarray, mean: float, spread: float) -> np.ndarray:
    if spread < 1e-9:  # 全部同分（例如问题里的词语料都没有）：这一路不提供信息
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - mean) / spread


def _reciprocal_rank_fusion(dense: np.ndarray, bm25: np.ndarray, fusion: FusionSettings) -> np.ndarray:
    fused = np.zeros(len(dense), dtype=np.float64)
    for scores, weight in ((dense, fusion.dense_weight), (bm25, 1.0)):
        order = np.argsort(-scores, kind="stable")[: fusion.rrf_candidates]
        order = order[scores[order] > 0]  # BM25 零分不算命中
        fused[order] += weight / (fusion.rrf_k + np.arange(1, len(order) + 1))
    return fused.astype(np.float32)


def hit_record(hit: Hit) -> dict:
    """A search hit as JSON: the chunk, where it is, and how it scored."""
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 4),
        "chunk_id": chunk.id,
        "doc": chunk.doc,
        "title": chunk.title,
        "section": list(chunk.section_path),
        "text": chunk.text,
        "start": chunk.start,
        "end": chunk.end,
        "dense_score": None if hit.dense_score is None else round(hit.dense_score, 4),
        "bm25_score": None if hit.bm25_score is None else round(hit.bm25_score, 4),
    }


def load_index(index_dir: Path, encoder: Encoder | None = None, store: str | None = None) -> SearchIndex:
    """Open an index with the encoder it was built with (or the one given, if it matches): the index folder, or
    the Milvus store at `store` (milvus://HOST:PORT or a Milvus Lite .db) when one is named."""
    if store:
        from qa.search.milvus import open_milvus  # pymilvus 只在用 Milvus 时导入

        opened = open_milvus(store, encoder=encoder)
    else:
        opened = FolderStore.open(Path(index_dir))
    if encoder is None:
        encoder = load_encoder(opened.manifest["encoder"]["model"])
    return SearchIndex(opened, encoder)

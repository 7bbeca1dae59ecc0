"""Question -> ranked Hits: BM25 over jieba words and dense E5 vectors, fused on one score scale."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.indexing.embed import Encoder, load_encoder
from qa.indexing.store import REBUILD_HINT, IndexUnavailable, StoredIndex, read_index
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

    def __init__(self, stored: StoredIndex, encoder: Encoder, tokenizer: Tokenizer | None = None):
        if stored.manifest["encoder"]["id"] != encoder.id:
            raise IndexUnavailable(
                f"索引用编码器 {stored.manifest['encoder']['id']} 构建，当前编码器是 {encoder.id}，{REBUILD_HINT}。"
            )
        self.stored = stored
        self.encoder = encoder
        self.tokenizer = tokenizer or Tokenizer()
        self._vocab = stored.bm25.vocab_dict

    @property
    def chunks(self) -> list[Chunk]:
        return self.stored.chunks

    @property
    def manifest(self) -> dict:
        return self.stored.manifest

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
            fused = dense
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
                dense_score=None if dense is None else float(dense[i]),
                bm25_score=None if bm25 is None else float(bm25[i]),
            )
            for rank, i in enumerate(order, start=1)
            if retriever != "bm25" or fused[i] > 0
        ]

    def dense_scores(self, question: str) -> np.ndarray:
        """Cosine similarity of the question to every chunk (exact inner-product search)."""
        query = self.encoder.encode_queries([question])
        total = len(self.chunks)
        scores, ids = self.stored.vectors.search(query, total)
        dense = np.full(total, -1.0, dtype=np.float32)
        dense[ids[0][ids[0] >= 0]] = scores[0][ids[0] >= 0]
        return dense

    def bm25_scores(self, question: str) -> np.ndarray:
        """BM25 score of every chunk; words never seen in the corpus are ignored."""
        ids = [self._vocab[token] for token in self.tokenizer.tokens(question) if token in self._vocab]
        if not ids:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.stored.bm25.get_scores_from_ids(ids), dtype=np.float32)


def clean_question(question: str) -> str:
    """The question trimmed to a searchable length; ValueError (Chinese message) when it has no content."""
    text = " ".join((question or "").split())[:MAX_QUESTION_CHARS]
    if not any(char.isalnum() for char in text):
        raise ValueError("问题是空的（或只有标点），请输入要查询的内容。")
    return text


def fuse(dense: np.ndarray, bm25: np.ndarray, fusion: FusionSettings) -> np.ndarray:
    """One fused score per chunk, higher is better."""
    if fusion.method == "rrf":
        return _reciprocal_rank_fusion(dense, bm25, fusion)
    return (fusion.dense_weight * _standardise(dense) + (1 - fusion.dense_weight) * _standardise(bm25)).astype(np.float32)


def _standardise(scores: np.ndarray) -> np.ndarray:
    spread = float(scores.std())
    if spread < 1e-9:  # 全部同分（例如问题里的词语料都没有）：这一路不提供信息
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - scores.mean()) / spread


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


def load_index(index_dir: Path, encoder: Encoder | None = None) -> SearchIndex:
    """Open an index folder with the encoder it was built with (or the one given, if it matches)."""
    stored = read_index(Path(index_dir))
    if encoder is None:
        encoder = load_encoder(stored.manifest["encoder"]["model"])
    return SearchIndex(stored, encoder)

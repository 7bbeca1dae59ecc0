"""Compare BM25, dense and fused retrieval on the development set, and sweep the fusion weights.

    python benchmarks/tune_fusion.py [--index index] [--eval eval/questions.jsonl]
"""
from __future__ import annotations

import argparse

from qa.evaluate import load_questions, retrieval_metrics
from qa.search.retrieve import FusionSettings, load_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", default="index")
    parser.add_argument("--eval", default="eval/questions.jsonl")
    args = parser.parse_args()
    index = load_index(args.index)
    questions = load_questions(args.eval)

    rows = [("bm25 alone", retrieval_metrics(index, questions, "bm25")), ("dense alone", retrieval_metrics(index, questions, "dense"))]
    for dense_weight in (1.0, 2.0):
        for rrf_k in (10, 60):
            fusion = FusionSettings(method="rrf", dense_weight=dense_weight, rrf_k=rrf_k)
            rows.append((f"RRF dense×{dense_weight} k={rrf_k}", retrieval_metrics(index, questions, "hybrid", fusion)))
    for dense_weight in (0.3, 0.4, 0.5, 0.6, 0.7):
        fusion = FusionSettings(method="zscore", dense_weight=dense_weight)
        rows.append((f"z-score dense {dense_weight}", retrieval_metrics(index, questions, "hybrid", fusion)))
    rows.append(("default (hybrid)", retrieval_metrics(index, questions, "hybrid")))

    print(f"{'setting':<28}{'hit@1':>8}{'hit@3':>8}{'hit@5':>8}{'mrr@10':>8}")
    for name, metrics in rows:
        print(f"{name:<28}{metrics['hit@1']:>8.3f}{metrics['hit@3']:>8.3f}{metrics['hit@5']:>8.3f}{metrics['mrr@10']:>8.3f}")


if __name__ == "__main__":
    main()

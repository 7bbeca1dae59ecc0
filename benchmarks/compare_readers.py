"""The learned reader against the rule-based answerer it replaces, side by side on one evaluation file.

    python benchmarks/compare_readers.py eval/questions.jsonl [--index index]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from qa.evaluate import evaluate, load_questions
from qa.pipeline import Pipeline
from qa.search.retrieve import load_index

ROWS = ("answer_accuracy", "span_exact_match", "span_f1", "abstention_recall", "false_abstention", "computed_accuracy", "latency_p50_ms", "latency_p95_ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--index", type=Path, default=Path("index"))
    args = parser.parse_args()
    questions = load_questions(args.file)
    index = load_index(args.index)
    results = {}
    for name, pipeline in (("rules", Pipeline.over(index, "rules")), ("learned", Pipeline.over(index, "learned"))):
        pipeline.ask(questions[0].question)  # 预热
        results[name], _ = evaluate(pipeline, questions)
    print(f"{args.file} ({len(questions)} questions)")
    print(f"{'metric':<22}" + "".join(f"{name:>16}" for name in results))
    for row in ROWS:
        print(f"{row:<22}" + "".join(f"{str(metrics.get(row)):>16}" for metrics in results.values()))
    kinds = sorted({kind for metrics in results.values() for kind in metrics["by_kind"]})
    for kind in kinds:
        print(f"{'  ' + kind:<22}" + "".join(f"{str(metrics['by_kind'].get(kind, {}).get('answer_accuracy')):>16}" for metrics in results.values()))


if __name__ == "__main__":
    main()

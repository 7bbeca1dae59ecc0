"""`qa ask` latency, warm: p50/p95 over the evaluation questions (search, query embedding and reading included),
and the process's peak memory.

    python benchmarks/bench_ask.py [--index index] [--eval eval/questions.jsonl] [--rounds 2]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import time

from qa.evaluate import load_questions
from qa.pipeline import Pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", default="index")
    parser.add_argument("--eval", default="eval/questions.jsonl")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    pipeline = Pipeline.open(args.index)
    load_seconds = time.perf_counter() - started
    questions = [q.question for q in load_questions(args.eval)]
    pipeline.ask(questions[0])  # 预热
    latencies = []
    for _ in range(args.rounds):
        for question in questions:
            started = time.perf_counter()
            pipeline.ask(question)
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    print(f"{'measure':<28}{'value':>10}")
    print(f"{'load index + reader':<28}{load_seconds:>9.2f}s")
    print(f"{'ask p50 (warm)':<28}{statistics.median(latencies):>8.1f}ms")
    print(f"{'ask p95 (warm)':<28}{latencies[int(0.95 * (len(latencies) - 1))]:>8.1f}ms")
    print(f"{'questions x rounds':<28}{len(latencies):>10}")
    print(f"{'peak RSS':<28}{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>8.0f}MB")


if __name__ == "__main__":
    main()

"""Index benchmark on the bundled corpus: full build, one-text update, search latency, peak memory.

    python benchmarks/bench_index.py [--corpus corpus] [--queries 60]

Works on temporary copies; the project's own index/ is not touched.
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from qa.evaluate import load_questions
from qa.indexing.build import build_index
from qa.lab.paths import ROOT
from qa.search.retrieve import load_index



def synthetic_report(chars: int, seed: int = 7) -> str:
    """A yearbook-style text of about `chars` characters with varied figures (no real data)."""
    rng = random.Random(seed)
    topics = ["宽带网络", "软件企业", "电子商务", "数据中心", "智慧交通", "电子政务", "人才培训", "工业互联网"]
    lines = ["滨海市信息化年度报告"]
    while sum(len(line) for line in lines) < chars:
        topic = rng.choice(topics)
        lines.append(
            f"【{topic}发展情况】 全年{topic}相关投资{rng.randint(10, 900)}.{rng.randint(1, 99)}亿元，"
            f"比上年增长{rng.randint(1, 40)}.{rng.randint(0, 9)}%；新增项目{rng.randint(5, 300)}个，"
            f"带动就业{rng.randint(1000, 90000)}人。全市{topic}用户达到{rng.randint(10, 900)}.{rng.randint(1, 99)}万户，"
            f"覆盖率{rng.randint(50, 99)}%。"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    try:
        corpus = work / "corpus"
        shutil.copytree(args.corpus, corpus)
        index = work / "index"

        started = time.perf_counter()
        full = build_index(corpus, index)
        full_seconds = time.perf_counter() - started

        new_text = synthetic_report(5000)
        (corpus / "bench_new.txt").write_text(new_text, encoding="utf-8")
        started = time.perf_counter()
        update = build_index(corpus, index)
        update_seconds = time.perf_counter() - started

        search_index = load_index(index)
        questions = [q.question for q in load_questions(ROOT / "eval" / "questions.jsonl")]
        queries = (questions * (args.queries // len(questions) + 1))[: args.queries]
        search_index.search(queries[0])  # 预热
        latencies = []
        for query in queries:
            started = time.perf_counter()
            search_index.search(query, k=5)
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        rows = [
            ("full build (seed corpus)", f"{full_seconds:.2f} s", f"{full.docs} docs, {full.chunks} chunks"),
            ("update: +1 text", f"{update_seconds:.2f} s", f"{len(new_text)} chars, embedded {update.chunks_embedded}, reused {update.chunks_reused}"),
            ("search p50 (incl. query embedding)", f"{p50:.1f} ms", f"{len(latencies)} queries, k=5"),
            ("search p95", f"{p95:.1f} ms", ""),
            ("peak memory (RSS)", f"{peak_mb:.0f} MB", ""),
        ]
        width = max(len(name) for name, _, _ in rows)
        print(f"{'measure':<{width}}  {'value':>10}  notes")
        for name, value, note in rows:
            print(f"{name:<{width}}  {value:>10}  {note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

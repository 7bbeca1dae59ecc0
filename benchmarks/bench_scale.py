"""How indexing and asking grow with the corpus: build time, time to the first answer after an upload, query
latency, index size and peak memory at 0.1, 0.5 and 2 million characters.

    python benchmarks/bench_scale.py [--sizes 0.1,0.5,2] [--work /tmp/bench_scale] [--queries 40]

Corpora are made of real text: the seven government work reports of ../shared/data/gwr/ and the paragraphs of
../shared/data/mrc/ (CMRC 2018 trial and dev, DRCD dev), grouped into documents of about 20,000 characters (a
report's size). The shared data hold 1.08 million characters; beyond that, every MRC paragraph is used a second
time in the other script (OpenCC: simplified CMRC as traditional, traditional DRCD as simplified), which is
different text to the index.

For each size, in a fresh process (so peak memory is that size's own):
- build: `qa.indexing.build.build_index` from nothing, wall time and the process's peak RSS;
- update: 100,000 more characters (paragraphs not in the corpus) added as files, then the time until a question
  about one of them is answered (`build_index` again, incremental, plus one `Pipeline.ask` on the rules route);
- queries: hybrid search p50/p95 over `--queries` MRC questions of paragraphs in the corpus;
- index size on disk.
Writes benchmarks/results/scale.json and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.mrc import load_mrc  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
MRC_FILES = ("cmrc2018_trial", "cmrc2018_dev_open", "DRCD_dev")
DOCUMENT_CHARS = 20_000
UPDATE_CHARS = 100_000
SEED = 11
RESULTS = ROOT / "benchmarks" / "results"


def source_texts() -> list[tuple[str, str, list[str]]]:
    """(name, text, questions answerable from it): reports and paragraphs in a fixed random order, then the
    paragraphs' other-script copies."""
    import opencc

    texts = [(path.stem, path.read_text(encoding="utf-8"), []) for path in sorted((SHARED / "gwr").glob("*.txt"))]
    paragraphs = [p for name in MRC_FILES for p in load_mrc(SHARED / "mrc" / f"{name}.json")]
    texts += [(p.id, f"{p.title}\n{p.text}", [q.question for q in p.questions]) for p in paragraphs]
    random.Random(SEED).shuffle(texts)  # 报告与段落混在一起：小语料里也有可问的段落
    to_traditional, to_simplified = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    for p in paragraphs:
        convert = to_simplified if p.source.startswith("DRCD") else to_traditional
        texts.append((f"{p.id}-copy", convert.convert(f"{p.title}\n{p.text}"), [convert.convert(q.question) for q in p.questions]))
    return texts


def write_corpus(texts, folder: Path, chars: int, prefix: str) -> tuple[int, list[str]]:
    """Documents of about DOCUMENT_CHARS characters until `chars` are written; (characters, their questions)."""
    folder.mkdir(parents=True, exist_ok=True)
    written, questions, batch, number = 0, [], [], 0
    while texts and written < chars:
        name, text, asked = texts.pop(0)
        batch.append(text)
        questions += asked
        written += len(text)
        if sum(map(len, batch)) >= DOCUMENT_CHARS or written >= chars or not texts:
            (folder / f"{prefix}{number:05d}.txt").write_text("\n\n".join(batch) + "\n", encoding="utf-8")
            batch, number = [], number + 1
    return written, questions


def measure(corpus: Path, index: Path, extra: Path, queries: list[str], update_question: str) -> dict:
    """Runs in a child process: build, update, queries."""
    from qa.indexing.build import build_index
    from qa.pipeline import Pipeline
    from qa.search.retrieve import load_index

    started = time.perf_counter()
    report = build_index(corpus, index)
    build_seconds = time.perf_counter() - started

    loaded = load_index(index)
    latencies = []
    for question in queries:
        started = time.perf_counter()
        loaded.search(question, k=10)
        latencies.append((time.perf_counter() - started) * 1000)

    for path in sorted(extra.iterdir()):
        shutil.copy(path, corpus / path.name)
    started = time.perf_counter()
    update = build_index(corpus, index)
    Pipeline.open(index, reading="rules").ask(update_question)
    first_answer_seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in index.rglob("*") if path.is_file())
    return {
        "chunks": report.chunks,
        "build_seconds": round(build_seconds, 1),
        "first_answer_after_100k_seconds": round(first_answer_seconds, 1),
        "update_chunks_embedded": update.chunks_embedded,
        "query_p50_ms": round(statistics.median(latencies), 1),
        "query_p95_ms": round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 1),
        "index_mb": round(size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0.1,0.5,2", help="million characters, comma-separated")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_scale"))
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        corpus, index, extra, questions_file, update_question = args.child
        queries = json.loads(Path(questions_file).read_text(encoding="utf-8"))
        result = measure(Path(corpus), Path(index), Path(extra), queries, update_question)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(result))
        return

    results = []
    for size in (float(part) for part in args.sizes.split(",")):
        folder = args.work / f"{size}M"
        shutil.rmtree(folder, ignore_errors=True)
        texts = source_texts()
        chars, questions = write_corpus(texts, folder / "corpus", int(size * 1e6), "doc")
        _, update_questions = write_corpus(texts, folder / "extra", UPDATE_CHARS, "new")
        queries = random.Random(SEED).sample(questions, min(args.queries, len(questions)))
        (folder / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(folder / "corpus"), str(folder / "index"), str(folder / "extra"),
             str(folder / "queries.json"), update_questions[0]],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if child.returncode != 0:
            sys.exit(f"{size}M failed:\n{child.stderr[-3000:]}")
        result = {"million_characters": round(chars / 1e6, 3), **json.loads(child.stdout.strip().splitlines()[-1])}
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

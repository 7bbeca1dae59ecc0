"""How indexing and asking grow with the corpus, told as a user meets it: files added, the first answer (BM25, seconds
later), questions while the vectors are computed in the background, full hybrid search when they are done, then one
more report added. At 0.1, 0.5 and 2 million characters.

    python benchmarks/bench_scale.py [--sizes 0.1,0.5,2] [--work /tmp/bench_scale] [--queries 40]

Corpora are made of real text: the seven government work reports of ../shared/data/gwr/ and the paragraphs of
../shared/data/mrc/ (CMRC 2018 trial and dev, DRCD dev), grouped into documents of about 20,000 characters (a
report's size). The shared data hold 1.08 million characters; beyond that, every MRC paragraph is used a second
time in the other script (OpenCC: simplified CMRC as traditional, traditional DRCD as simplified), which is
different text to the index.

For each size, in a fresh process (so peak memory is that size's own), through `QAService` as the web app uses it
(background embedding on, learned reading route):
- first answer: from `rebuild()` on an empty index to the first of the MRC questions whose answer contains its gold
  answer (BM25 carries it: no vector exists yet);
- while embedding: search p50/p95 over the MRC questions, asked in a loop while the background thread embeds;
- embedding: time until every chunk has its vector, with no restart; retrieval hit@5 (gold answer in the top five
  passages) with BM25 alone at the start and hybrid at the end;
- one more report: a 20,000-character document added to the built index, time until it is searchable (its text
  found by a question about it) and until its vectors are in;
- after: search p50/p95, index size on disk, peak RSS of the process.
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

from qa.app.accounts import TERMINAL
from qa.lab.paths import ROOT, GWR, MRC, RESULTS
from qa.mrc import load_mrc

MRC_FILES = ("cmrc2018_trial", "cmrc2018_dev_open", "DRCD_dev")
DOCUMENT_CHARS = 20_000
UPDATE_CHARS = 20_000  # 再加一篇报告那么长的文档
QUERY_PAUSE_SECONDS = 0.2  # 后台嵌入时，两次检索之间歇一下（像人在用，而不是压测）
SEED = 11


def source_texts() -> list[tuple[str, str, list[tuple[str, tuple[str, ...]]]]]:
    """(name, text, [(question, gold answers)] answerable from it): reports and paragraphs in a fixed random order,
    then the paragraphs' other-script copies."""
    import opencc

    texts = [(path.stem, path.read_text(encoding="utf-8"), []) for path in sorted(GWR.glob("*.txt"))]
    paragraphs = [p for name in MRC_FILES for p in load_mrc(MRC / f"{name}.json")]
    texts += [(p.id, f"{p.title}\n{p.text}", [(q.question, q.answers) for q in p.questions]) for p in paragraphs]
    random.Random(SEED).shuffle(texts)  # 报告与段落混在一起：小语料里也有可问的段落
    to_traditional, to_simplified = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    for p in paragraphs:
        convert = to_simplified if p.source.startswith("DRCD") else to_traditional
        asked = [(convert.convert(q.question), tuple(convert.convert(a) for a in q.answers)) for q in p.questions]
        texts.append((f"{p.id}-copy", convert.convert(f"{p.title}\n{p.text}"), asked))
    return texts


def write_corpus(texts, folder: Path, chars: int, prefix: str) -> tuple[int, list]:
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


def measure(corpus: Path, index: Path, extra: Path, queries: list, update_queries: list, embed_minutes: float | None) -> dict:
    """Runs in a child process: the user's story above, timed."""
    from qa.app.service import QAService

    shutil.rmtree(index, ignore_errors=True)
    service = QAService(corpus, index)
    started = time.perf_counter()
    service.rebuild(TERMINAL)
    searchable_seconds = time.perf_counter() - started
    first_correct = None
    for question, answers in queries:
        answer, _, _ = service.ask(question)
        if any(gold in answer.answer for gold in answers):
            first_correct = time.perf_counter() - started
            break
    bm25_hits = _hit_rate(service, queries)

    during = []
    embedding_began = time.perf_counter()
    deadline = embedding_began + (embed_minutes * 60 if embed_minutes else float("inf"))
    while service.embedding_running and time.perf_counter() < deadline:
        for question, _ in queries:
            begun = time.perf_counter()
            service.search(question, k=10)
            during.append((time.perf_counter() - begun) * 1000)
            time.sleep(QUERY_PAUSE_SECONDS)
    state = service.embedding_state()
    complete = state.complete or not service.embedding_running
    rate = state.embedded / (time.perf_counter() - embedding_began)
    if complete:
        service.wait_for_vectors()
    embedded_seconds = time.perf_counter() - started
    hybrid_hits = _hit_rate(service, queries) if complete else None

    for path in sorted(extra.iterdir()):
        shutil.copy(path, corpus / path.name)
    added = time.perf_counter()
    service.rebuild(TERMINAL)  # 后台嵌入还在跑时也一样：文字先收进来
    question, answers = next((q, a) for q, a in update_queries if a)
    found = any(any(gold in hit.chunk.text for gold in answers) for hit in service.search(question, k=5))
    added_searchable_seconds = time.perf_counter() - added
    if complete:
        service.wait_for_vectors()
    else:
        service.close()  # 限时的一轮：算好的批次留在盘上，下次接着算
    added_embedded_seconds = time.perf_counter() - added

    after = []
    for question, _ in queries:
        begun = time.perf_counter()
        service.search(question, k=10)
        after.append((time.perf_counter() - begun) * 1000)
    size = sum(path.stat().st_size for path in index.rglob("*") if path.is_file())
    return {
        "chunks": len(service.pipeline.index.chunks),
        "searchable_seconds": round(searchable_seconds, 1),
        "first_correct_answer_seconds": None if first_correct is None else round(first_correct, 1),
        "hit@5_bm25_before_vectors": bm25_hits,
        "query_p50_ms_while_embedding": _percentile(during, 50),
        "query_p95_ms_while_embedding": _percentile(during, 95),
        "queries_while_embedding": len(during),
        "all_vectors_seconds": round(embedded_seconds, 1) if complete else None,
        "chunks_embedded_per_second": round(rate, 2),
        "vectors_done_when_stopped": None if complete else f"{state.embedded}/{state.total}",
        "hit@5_hybrid_after": hybrid_hits,
        "added_report_chars": sum(len(p.read_text(encoding="utf-8")) for p in extra.iterdir()),
        "added_report_searchable_seconds": round(added_searchable_seconds, 1),
        "added_report_found": found,
        "added_report_vectors_seconds": round(added_embedded_seconds, 1) if complete else None,
        "query_p50_ms": _percentile(after, 50),
        "query_p95_ms": _percentile(after, 95),
        "index_mb": round(size / 1e6, 1),
    }


def _hit_rate(service, queries: list) -> float:
    hits = sum(any(any(gold in hit.chunk.text for gold in answers) for hit in service.search(q, k=5)) for q, answers in queries)
    return round(hits / max(len(queries), 1), 3)


def _percentile(values: list[float], share: int) -> float | None:
    if not values:
        return None
    return round(sorted(values)[int(share / 100 * (len(values) - 1))], 1) if share != 50 else round(statistics.median(values), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0.1,0.5,2", help="million characters, comma-separated")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_scale"))
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--output", type=Path, default=RESULTS / "scale.json", help="results file; sizes already in it are kept")
    parser.add_argument("--embed-minutes", type=float, default=None, help="stop the background embedding after this long (it resumes on the next run); the rate and the share done are reported instead of the total time")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        corpus, index, extra, questions_file, update_file = args.child
        queries = json.loads(Path(questions_file).read_text(encoding="utf-8"))
        update_queries = json.loads(Path(update_file).read_text(encoding="utf-8"))
        result = measure(Path(corpus), Path(index), Path(extra), queries, update_queries, args.embed_minutes)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(result))
        return

    for size in (float(part) for part in args.sizes.split(",")):
        folder = args.work / f"{size}M"
        shutil.rmtree(folder, ignore_errors=True)
        texts = source_texts()
        chars, questions = write_corpus(texts, folder / "corpus", int(size * 1e6), "doc")
        _, update_questions = write_corpus(texts, folder / "extra", UPDATE_CHARS, "new")
        queries = random.Random(SEED).sample(questions, min(args.queries, len(questions)))
        (folder / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        (folder / "update.json").write_text(json.dumps(update_questions, ensure_ascii=False), encoding="utf-8")
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(folder / "corpus"), str(folder / "index"), str(folder / "extra"),
             str(folder / "queries.json"), str(folder / "update.json"), *(["--embed-minutes", str(args.embed_minutes)] if args.embed_minutes else [])],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if child.returncode != 0:
            sys.exit(f"{size}M failed:\n{child.stderr[-3000:]}")
        result = {"million_characters": round(chars / 1e6, 3), "load_average_at_start": os.getloadavg()[0], **json.loads(child.stdout.strip().splitlines()[-1])}
        print(json.dumps(result, ensure_ascii=False), flush=True)
        _save(args.output, result)


def _save(path: Path, result: dict) -> None:
    """Add one size's result to the file (replacing an earlier run of the same size), sorted by size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(path.read_text(encoding="utf-8"))["results"] if path.exists() else []
    saved = [row for row in saved if row["million_characters"] != result["million_characters"]] + [result]
    saved.sort(key=lambda row: row["million_characters"])
    path.write_text(json.dumps({"cpus": os.cpu_count(), "results": saved}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

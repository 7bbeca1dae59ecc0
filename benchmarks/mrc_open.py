"""Open-domain reading comprehension: index every paragraph of a public MRC file, ask the held-out questions.

    . .venv/bin/activate
    python benchmarks/mrc_open.py /work/shared/data/mrc/cmrc2018_dev_open.json [--split test] [--limit N]
                                  [--workdir DIR] [--retriever hybrid] [--reader WEIGHTS.npz] [--json]

What it does:
- Every paragraph of FILE (all splits) becomes one document `<paragraph id>.txt` in DIR/corpus: the article
  title on the first line, then the paragraph. Training paragraphs stay in the corpus as distractors.
- `qa.indexing.build.build_index` indexes that corpus into DIR/index (default DIR: /tmp/mrc_open/<file stem>). The
  build is incremental, so a second run on an unchanged corpus reuses the index and embeds nothing.
  The first build of cmrc2018_dev_open.json embeds ~370k characters (minutes on a small machine).
- Only the questions on paragraphs of the chosen split are asked (`qa.mrc.MrcParagraph.split`, a fixed
  hash of the paragraph id; default `test`, the paragraphs held out from every training and tuning step).
  `--limit N` keeps the first N of them in file order. Each is asked open-domain (no paragraph given)
  through `qa.evaluate.evaluate` and `qa.pipeline.Pipeline`, the same code as `qa eval`: doc = its
  paragraph's file, section = "", kind inferred from the question (`qa.evaluate.infer_kind`).
  `--reader NEW.npz` answers with candidate reader weights instead of the shipped ones (before they replace them).

What the numbers mean (all rates are percentages, 0–100, over the questions asked):
- paragraph hit@1 / hit@5: the question's own paragraph is the first / among the first five retrieved chunks.
- answer contains gold: a gold answer appears in the answer sentence (after NFKC); abstentions count as wrong.
- span EM / span F1: CMRC 2018 exact match and character F1 of the answer's `span` against the golds
  (punctuation and spaces removed, best gold); an abstention scores 0.
- span = gold (digit golds): among questions whose gold holds a digit, how often the span is exactly a gold.
- false abstention: the answerer abstained although the question is answerable (all of them are here).
- latency p50 / p95: milliseconds per question, retrieval plus answering, warm.

The JSON summary goes to benchmarks/results/mrc_open_<file stem>_<split>.json (with `limit` recorded in
it); the per-question records to DIR/records_<split>_<reader>.jsonl. On a busy machine run it with
`OMP_NUM_THREADS=1 nice` so the embedding does not take every core.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from qa.evaluate import Question, check_documents, evaluate, infer_kind
from qa.lab.mrc_corpus import DEFAULT_WORKDIR, index_paragraphs
from qa.lab.paths import RESULTS
from qa.mrc import MrcParagraph, load_mrc
from qa.pipeline import Pipeline
from qa.reading.reader_weights import load_reader
from qa.search.retrieve import RETRIEVERS, load_index

RESULTS_DIR = RESULTS
DEFAULT_SPLIT = "test"
TOP_K_HIT = (1, 5)
PROGRESS_EVERY = 10  # 每答完这么多题报告一次进度


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="a CMRC- or DRCD-style JSON file from /work/shared/data/mrc/")
    parser.add_argument("--split", default=DEFAULT_SPLIT, help="which paragraphs' questions to ask (default: test)")
    parser.add_argument("--limit", type=int, default=None, help="ask only the first N questions of the split")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="corpus and index folder (default /tmp/mrc_open/<stem>)"
    )
    parser.add_argument("--retriever", choices=RETRIEVERS, default="hybrid")
    parser.add_argument("--reader", type=Path, default=None, help="reader weights (default: the shipped ones)")
    parser.add_argument("--without-ranker", action="store_true", help="figure questions by the span reader too (comparison)")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print the JSON summary instead of a table")
    args = parser.parse_args()

    paragraphs = load_mrc(args.file)
    splits = sorted({paragraph.split for paragraph in paragraphs})
    if args.split not in splits:
        parser.error(f"unknown split {args.split!r}; the file has: {', '.join(splits)}")
    workdir = args.workdir or DEFAULT_WORKDIR / args.file.stem
    index_dir = workdir / "index"
    names, build = index_paragraphs(paragraphs, workdir, progress=_build_progress)
    _log(
        f"index {index_dir}: {build.docs} docs, {build.chunks} chunks, embedded {build.chunks_embedded}, {build.seconds:.0f}s"
    )

    questions = held_out_questions(paragraphs, names, args.split, args.limit)
    reader = load_reader(args.reader) if args.reader else None
    pipeline = Pipeline.over(load_index(index_dir), reader, figure_ranker=not args.without_ranker)
    check_documents(questions, set(pipeline.index.manifest["documents"]), args.file)
    pipeline.ask(questions[0].question)  # 预热：第一次提问要加载分词词典等，不算进延迟
    metrics, records = evaluate(pipeline, questions, args.retriever, progress=_answer_progress)

    summary = summarise_open(args, paragraphs, questions, metrics, records, build.as_dict())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    route = (args.reader.stem if args.reader else "shipped") + ("_without_ranker" if args.without_ranker else "")
    result_path = RESULTS_DIR / f"mrc_open_{args.file.stem}_{args.split}_{route}.json"
    result_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with (workdir / f"records_{args.split}_{route}.jsonl").open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print_table(summary)
        print(f"\nsummary: {result_path}\nrecords: {workdir / f'records_{args.split}_{route}.jsonl'}")


def held_out_questions(
    paragraphs: list[MrcParagraph], names: dict[str, str], split: str, limit: int | None
) -> list[Question]:
    """The evaluator's questions for the paragraphs of one split, in file order, the first `limit` of them."""
    questions = [
        Question(q.id, q.question, q.answers, names[p.id], "", infer_kind(q.question, q.answers))
        for p in paragraphs
        if p.split == split
        for q in p.questions
    ]
    if not questions:
        raise SystemExit(f"no questions on {split} paragraphs")
    return questions[:limit] if limit else questions


def summarise_open(
    args: argparse.Namespace,
    paragraphs: list[MrcParagraph],
    questions: list[Question],
    metrics: dict,
    records: list[dict],
    build: dict,
) -> dict:
    """The benchmark's numbers (percentages) plus the evaluator's own metrics and the index build report."""
    ranks = [record["document_rank"] for record in records]
    count = len(records)

    def percent(share: float | None) -> float | None:
        return None if share is None else round(100 * share, 2)

    return {
        "file": args.file.name,
        "split": args.split,
        "limit": args.limit,
        "retriever": args.retriever,
        "reader": str(args.reader) if args.reader else "shipped",
        "figure_ranker": not args.without_ranker,
        "documents": len(paragraphs),
        "paragraphs_asked": len({question.doc for question in questions}),
        "questions": count,
        **{f"paragraph_hit@{k}": round(100 * sum(1 for r in ranks if r and r <= k) / count, 2) for k in TOP_K_HIT},
        "answer_contains_gold": percent(metrics["answer_accuracy"]),
        "span_exact_match": metrics["span_exact_match"],
        "span_f1": metrics["span_f1"],
        "span_equals_gold_digits": percent(metrics["span_equals_gold_digits"]),
        "digit_gold_questions": metrics["digit_gold_questions"],
        "false_abstention": percent(metrics["false_abstention"]),
        "latency_p50_ms": metrics["latency_p50_ms"],
        "latency_p95_ms": metrics["latency_p95_ms"],
        "abstention_reasons": metrics["abstention_reasons"],
        "kinds": {kind: row["questions"] for kind, row in metrics["by_kind"].items()},
        "evaluator": metrics,
        "index": {
            key: build[key] for key in ("docs", "chunks", "chunks_embedded", "chunks_reused", "model", "seconds")
        },
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def print_table(summary: dict) -> None:
    """A short human-readable table of the summary."""
    rows = [
        ("file / split", f"{summary['file']} / {summary['split']} (limit {summary['limit']})"),
        ("documents in corpus", summary["documents"]),
        ("questions (paragraphs)", f"{summary['questions']} ({summary['paragraphs_asked']})"),
        ("paragraph hit@1 / hit@5", f"{summary['paragraph_hit@1']:.1f}% / {summary['paragraph_hit@5']:.1f}%"),
        ("answer contains gold", f"{summary['answer_contains_gold']:.1f}%"),
        ("span EM / F1", f"{summary['span_exact_match']:.1f} / {summary['span_f1']:.1f}"),
        ("span = gold (digit golds)", _digit_row(summary)),
        ("false abstention", f"{summary['false_abstention']:.1f}%"),
        ("abstention reasons", ", ".join(f"{k} {v}" for k, v in summary["abstention_reasons"].items()) or "—"),
        ("latency p50 / p95", f"{summary['latency_p50_ms']} ms / {summary['latency_p95_ms']} ms"),
    ]
    for name, value in rows:
        print(f"{name:<28}{value}")


def _digit_row(summary: dict) -> str:
    value = summary["span_equals_gold_digits"]
    shown = "—" if value is None else f"{value:.1f}%"
    return f"{shown} of {summary['digit_gold_questions']}"


def _build_progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 320 == 0:  # 每 20 批报一次，日志不至于太长
        _log(f"{stage} {done}/{total}")


def _answer_progress(done: int, total: int) -> None:
    if done == total or done % PROGRESS_EVERY == 0:
        _log(f"asked {done}/{total}")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    _log(f"total {time.perf_counter() - started:.0f}s")

"""Evaluation file -> questions -> per-question records and metrics (retrieval, answers, abstention)."""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from qa.answer import Answerer, answer_record
from qa.retrieve import FusionSettings, SearchIndex
from qa.types import Answer, Hit

KINDS = ("figure", "entity", "date", "list", "paraphrase", "computed", "unanswerable")
_REQUIRED = ("id", "question", "answers", "doc", "section", "kind")


class BadEvalFile(Exception):
    """An evaluation file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    doc: str
    section: str
    kind: str
    line: int = 0  # 在评测文件里的行号，报错时用

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(path: Path) -> list[Question]:
    """Parse and check every line before any work is done."""
    questions, seen = [], set()
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BadEvalFile(f"无法读取评测文件 {path}：{error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise BadEvalFile(f"{path} 第 {number} 行不是合法的 JSON：{error}") from error
        if not isinstance(row, dict):
            raise BadEvalFile(f"{path} 第 {number} 行应是一个 JSON 对象")
        missing = [name for name in _REQUIRED if name not in row]
        if missing:
            raise BadEvalFile(f"{path} 第 {number} 行缺少字段：{', '.join(missing)}")
        if row["kind"] not in KINDS:
            raise BadEvalFile(f"{path} 第 {number} 行的 kind {row['kind']!r} 不在 {', '.join(KINDS)} 之中")
        if not isinstance(row["answers"], list) or not all(isinstance(a, str) for a in row["answers"]):
            raise BadEvalFile(f"{path} 第 {number} 行的 answers 应是字符串列表")
        if row["id"] in seen:
            raise BadEvalFile(f"{path} 第 {number} 行的 id {row['id']!r} 重复")
        seen.add(row["id"])
        questions.append(
            Question(
                str(row["id"]), row["question"], tuple(row["answers"]), row["doc"] or "", row["section"] or "", row["kind"], number
            )
        )
    if not questions:
        raise BadEvalFile(f"评测文件 {path} 里没有问题")
    return questions


def check_documents(questions: list[Question], documents: set[str], path: Path) -> None:
    """Every answerable question must name a document the index holds."""
    for question in questions:
        if question.answerable and question.doc not in documents:
            raise BadEvalFile(f"{path} 第 {question.line} 行的 doc {question.doc!r} 不在索引里（索引中有：{'、'.join(sorted(documents))}）")


def is_relevant(hit: Hit, question: Question) -> bool:
    """The gold document and section, and (for verbatim answers) the passage holding the answer."""
    chunk = hit.chunk
    if chunk.doc != question.doc or question.section not in chunk.section_path:
        return False
    if question.kind == "computed":
        return True
    return any(answer in chunk.text for answer in question.answers)


def first_relevant_rank(hits: list[Hit], question: Question) -> int | None:
    return next((hit.rank for hit in hits if is_relevant(hit, question)), None)


def retrieval_metrics(
    index: SearchIndex, questions: list[Question], retriever: str = "hybrid", fusion: FusionSettings = FusionSettings()
) -> dict:
    """hit@1/3/5 and MRR@10 over the answerable questions."""
    ranks = []
    for question in questions:
        if question.answerable:
            ranks.append(first_relevant_rank(index.search(question.question, 10, retriever, fusion), question))
    return summarise_ranks(ranks)


def summarise_ranks(ranks: list[int | None]) -> dict:
    count = len(ranks) or 1
    return {
        "questions": len(ranks),
        "hit@1": round(sum(1 for r in ranks if r and r <= 1) / count, 4),
        "hit@3": round(sum(1 for r in ranks if r and r <= 3) / count, 4),
        "hit@5": round(sum(1 for r in ranks if r and r <= 5) / count, 4),
        "mrr@10": round(sum(1 / r for r in ranks if r) / count, 4),
    }


def answer_is_correct(answer: Answer, question: Question) -> bool:
    """Answerable: a gold string in the answer text. Unanswerable: the answerer abstained."""
    if not question.answerable:
        return answer.abstained
    return not answer.abstained and any(gold in answer.answer for gold in question.answers)


def citation_is_correct(answer: Answer, question: Question) -> bool:
    """A citation names the gold document and its section path holds the gold section."""
    return any(c.doc == question.doc and question.section in c.section for c in answer.citations)


def evaluate(
    answerer: Answerer,
    questions: list[Question],
    retriever: str = "hybrid",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict, list[dict]]:
    """Ask every question; return (metrics, per-question records with gold fields and flags)."""
    records, ranks, latencies = [], [], []
    for number, question in enumerate(questions, start=1):
        started = time.perf_counter()
        hits = answerer.index.search(question.question, 10, retriever)  # 一次检索，同时给 hit@k 和答案用
        answer = answerer.ask(question.question, retriever=retriever, hits=hits)
        latency = (time.perf_counter() - started) * 1000
        latencies.append(latency)
        rank = first_relevant_rank(hits, question) if question.answerable else None
        if question.answerable:
            ranks.append(rank)
        record = answer_record(answer, latency, question.id)
        record.update(
            {
                "kind": question.kind,
                "gold_answers": list(question.answers),
                "gold_doc": question.doc,
                "gold_section": question.section,
                "answer_correct": answer_is_correct(answer, question),
                "citation_correct": citation_is_correct(answer, question) if question.answerable else None,
                "retrieval_rank": rank,
            }
        )
        records.append(record)
        if progress:
            progress(number, len(questions))
    return summarise(records, ranks, latencies), records


def summarise(records: list[dict], ranks: list[int | None], latencies: list[float]) -> dict:
    """Metrics over the records of one run."""
    answerable = [r for r in records if r["gold_answers"]]
    unanswerable = [r for r in records if not r["gold_answers"]]
    abstained = [r for r in records if r["abstained"]]
    computed = [r for r in records if r["kind"] == "computed"]
    ordered = sorted(latencies)

    def share(items: list, test) -> float | None:
        return round(sum(1 for item in items if test(item)) / len(items), 4) if items else None

    by_kind = {}
    for kind in KINDS:
        rows = [r for r in records if r["kind"] == kind]
        if rows:
            by_kind[kind] = {"questions": len(rows), "answer_accuracy": share(rows, lambda r: r["answer_correct"])}
    return {
        "questions": len(records),
        **{key: value for key, value in summarise_ranks(ranks).items() if key != "questions"},
        "answer_accuracy": share(answerable, lambda r: r["answer_correct"]),
        "citation_accuracy": share(answerable, lambda r: r["citation_correct"]),
        "abstention_recall": share(unanswerable, lambda r: r["abstained"]),
        "abstention_precision": share(abstained, lambda r: not r["gold_answers"]),
        "false_abstention": share(answerable, lambda r: r["abstained"]),
        "computed_accuracy": share(computed, lambda r: r["answer_correct"]),
        "computed_correct": sum(1 for r in computed if r["answer_correct"]),
        "latency_p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "latency_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
        "by_kind": by_kind,
    }

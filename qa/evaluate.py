"""Evaluation file -> questions -> retrieval metrics (hit@k, MRR)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qa.retrieve import FusionSettings, SearchIndex
from qa.types import Hit

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
            Question(str(row["id"]), row["question"], tuple(row["answers"]), row["doc"] or "", row["section"] or "", row["kind"])
        )
    if not questions:
        raise BadEvalFile(f"评测文件 {path} 里没有问题")
    return questions


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

"""Evaluation file -> questions -> per-question records and metrics (retrieval, answers, spans, abstention)."""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.pipeline import Pipeline
from qa.reading.intent import analyse_question
from qa.search.retrieve import FusionSettings, SearchIndex
from qa.scoring import char_f1, exact_match
from qa.types import Answer, Chunk, Hit

KINDS = ("figure", "entity", "date", "list", "paraphrase", "target", "computed", "unanswerable")
_REQUIRED = ("question", "answers")
# 问题想要什么（analyse_question 的 wants）-> 评测题型；entity 再看有没有「哪些/哪几」分出 list
_KIND_OF_WANTS = {
    "difference": "computed",
    "rate": "computed",
    "year": "date",
    "date": "date",
    "number": "figure",
    "percent": "figure",
    "ordinal": "figure",
    "entity": "entity",
}
_ASKS_FOR_LIST = re.compile(r"哪些|哪几")
_DIGIT = re.compile(r"[0-9]")  # 在 NFKC 之后判断，全角数字「９」也算
# 标准答案两头的句读不算答案的一部分（CMRC 的「晋武帝司马炎之子。」）：聊天的回答把片段放进自己的句子，
# 后面跟的是「（把握不足……）」，不是原文的句号。只去句读，不去 % 或引号这些属于答案的符号（NFKC 之后的形式）
_GOLD_EDGE_PUNCTUATION = "。、,;:!?.…\u3000 "
UNKNOWN_VETO = "unknown"  # 拒答了却没有说明原因的记录


class BadEvalFile(Exception):
    """An evaluation file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Question:
    """One evaluation question; `doc`/`section` may be empty (then no citation check)."""

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


def infer_kind(question: str, answers: list[str] | tuple[str, ...]) -> str:
    """The evaluation kind of a question that does not name one, from what the question asks for."""
    if not answers:
        return "unanswerable"
    wants = analyse_question(question).wants
    if wants not in _KIND_OF_WANTS:
        raise ValueError(f"未知的问题类型 {wants!r}，可选：{', '.join(_KIND_OF_WANTS)}")
    kind = _KIND_OF_WANTS[wants]
    if kind == "entity" and _ASKS_FOR_LIST.search(question):
        return "list"
    return kind


def load_questions(path: Path) -> list[Question]:
    """Parse and check every line before any work is done; only `question` and `answers` are required."""
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
        if not isinstance(row["question"], str) or not row["question"].strip():
            raise BadEvalFile(f"{path} 第 {number} 行的 question 应是非空字符串")
        if row.get("kind") and row["kind"] not in KINDS:
            raise BadEvalFile(f"{path} 第 {number} 行的 kind {row['kind']!r} 不在 {', '.join(KINDS)} 之中")
        if not isinstance(row["answers"], list) or not all(isinstance(a, str) for a in row["answers"]):
            raise BadEvalFile(f"{path} 第 {number} 行的 answers 应是字符串列表")
        question_id = str(row["id"]) if row.get("id") not in (None, "") else f"L{number}"  # 没有 id 就用行号
        if question_id in seen:
            raise BadEvalFile(f"{path} 第 {number} 行的 id {question_id!r} 重复")
        seen.add(question_id)
        answers = tuple(row["answers"])
        kind = row.get("kind") or infer_kind(row["question"], answers)
        questions.append(
            Question(
                question_id, row["question"], answers, row.get("doc") or "", row.get("section") or "", kind, number
            )
        )
    if not questions:
        raise BadEvalFile(f"评测文件 {path} 里没有问题")
    return questions


def check_documents(questions: list[Question], documents: set[str], path: Path) -> None:
    """Every answerable question that names a document must name one the index holds."""
    for question in questions:
        if question.answerable and question.doc and question.doc not in documents:
            raise BadEvalFile(
                f"{path} 第 {question.line} 行的文档「{question.doc}」不在索引里（索引中有：{_some(sorted(documents))}）"
            )


def _some(names: list[str], shown: int = 10) -> str:
    """「a、b、c」, or the first `shown` of them and how many more."""
    more = f" 等 {len(names)} 个" if len(names) > shown else ""
    return "、".join(names[:shown]) + more


def normalise_width(text: str) -> str:
    """NFKC: full-width digits, letters and signs become their ASCII forms (「９５９３３亿元」→「95933亿元」)."""
    return unicodedata.normalize("NFKC", text or "")


def retrieval_is_judged(question: Question) -> bool:
    """Retrieval can be judged when the question is answerable and names a document or has a verbatim answer."""
    return question.answerable and (bool(question.doc) or question.kind != "computed")


def is_relevant(hit: Hit, question: Question) -> bool:
    """The gold document and section (when named), and (for verbatim answers) the passage holding the answer."""
    chunk = hit.chunk
    if question.doc and chunk.doc != question.doc:
        return False
    if question.section and not in_section(chunk, question.section):
        return False
    if question.kind == "computed":
        return bool(question.doc)  # 计算题的答案不在原文里，只能按文档判断
    text = normalise_width(chunk.text)
    return any(normalise_width(answer) in text for answer in question.answers)


# 评测文件里的章节名是人抄的：首尾的破折号、句号、空白不算（「——信息产业发展全国领先」「（一）……。」）
_SECTION_EDGES = " \t\u3000—-－:：。.．"


def in_section(chunk: Chunk, section: str) -> bool:
    """Whether the chunk lies in the named section: one of its headings, written with or without the edges a person
    copying it adds, or (a numbered paragraph the chunker did not take for a heading) a line of its own text."""
    wanted = normalise_width(section).strip(_SECTION_EDGES)
    if any(normalise_width(heading).strip(_SECTION_EDGES) == wanted for heading in chunk.section_path):
        return True
    return any(normalise_width(line).strip(_SECTION_EDGES).startswith(wanted) for line in chunk.text.splitlines())


def first_relevant_rank(hits: list[Hit], question: Question) -> int | None:
    """1-based rank of the first relevant hit, None when none is."""
    return next((hit.rank for hit in hits if is_relevant(hit, question)), None)


def document_rank(hits: list[Hit], question: Question) -> int | None:
    """1-based rank of the first hit from the gold document (None when no document is named or none is hit)."""
    if not question.doc:
        return None
    return next((hit.rank for hit in hits if hit.chunk.doc == question.doc), None)


def retrieval_metrics(
    index: SearchIndex, questions: list[Question], retriever: str = "hybrid", fusion: FusionSettings = FusionSettings()
) -> dict:
    """hit@1/3/5 and MRR@10 over the answerable questions whose retrieval can be judged."""
    ranks = []
    for question in questions:
        if retrieval_is_judged(question):
            ranks.append(first_relevant_rank(index.search(question.question, 10, retriever, fusion), question))
    return summarise_ranks(ranks)


def summarise_ranks(ranks: list[int | None]) -> dict:
    """hit@1/3/5 and MRR@10 of a list of first-relevant ranks (None = missed)."""
    count = len(ranks) or 1
    return {
        "questions": len(ranks),
        "hit@1": round(sum(1 for r in ranks if r and r <= 1) / count, 4),
        "hit@3": round(sum(1 for r in ranks if r and r <= 3) / count, 4),
        "hit@5": round(sum(1 for r in ranks if r and r <= 5) / count, 4),
        "mrr@10": round(sum(1 / r for r in ranks if r) / count, 4),
    }


def answer_is_correct(answer: Answer, question: Question) -> bool:
    """Answerable: a gold string, without the clause punctuation at its ends, in the answer text (both NFKC).
    Unanswerable: the answerer abstained."""
    if not question.answerable:
        return answer.abstained
    text = normalise_width(answer.answer)
    return not answer.abstained and any(gold_core(gold) in text for gold in question.answers)


def gold_core(gold: str) -> str:
    """The gold answer (NFKC) without clause punctuation at its ends: 「晋武帝司马炎之子。」→「晋武帝司马炎之子」."""
    text = normalise_width(gold)
    return text.strip(_GOLD_EDGE_PUNCTUATION) or text


def citation_is_correct(answer: Answer, question: Question) -> bool:
    """A citation names the gold document and (when one is named) its section path holds the gold section."""
    return any(
        c.doc == question.doc and (not question.section or question.section in c.section) for c in answer.citations
    )


def span_scores(span: str, golds: list[str] | tuple[str, ...], abstained: bool) -> tuple[float, float]:
    """(exact match, character F1) of the span against the golds, each 0–1, CMRC style after NFKC; abstention is 0."""
    if abstained or not span or not golds:
        return 0.0, 0.0
    prediction, targets = normalise_width(span), [normalise_width(gold) for gold in golds]
    return exact_match(prediction, targets), char_f1(prediction, targets)


def has_digit_gold(golds: list[str] | tuple[str, ...]) -> bool:
    """A gold answer holds an Arabic digit (full-width digits count)."""
    return any(_DIGIT.search(normalise_width(gold)) for gold in golds)


def veto_name(record: dict) -> str:
    """The name of the check that made a record abstain; UNKNOWN_VETO when it gives none."""
    veto = record.get("veto")
    return (veto.get("name") if isinstance(veto, dict) else None) or UNKNOWN_VETO


def evaluate(
    pipeline: Pipeline,
    questions: list[Question],
    retriever: str = "hybrid",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict, list[dict]]:
    """Ask every question through the pipeline; return (metrics, per-question records with gold fields and flags)."""
    records, ranks, latencies = [], [], []
    for number, question in enumerate(questions, start=1):
        asked = pipeline.ask(question.question, retriever=retriever)
        answer, hits, latency = asked.answer, list(asked.hits), asked.latency_ms  # 一次检索，同时给 hit@k 和答案用
        latencies.append(latency)
        judged = retrieval_is_judged(question)
        rank = first_relevant_rank(hits, question) if judged else None
        if judged:
            ranks.append(rank)
        exact, f1 = span_scores(answer.span, question.answers, answer.abstained)
        record = answer.as_dict(latency, question.id)
        record.update(
            {
                "kind": question.kind,
                "gold_answers": list(question.answers),
                "gold_doc": question.doc,
                "gold_section": question.section,
                "answer_correct": answer_is_correct(answer, question),
                "citation_correct": citation_is_correct(answer, question)
                if question.answerable and question.doc
                else None,
                "span_exact": exact if question.answerable else None,
                "span_f1": round(f1, 4) if question.answerable else None,
                "retrieval_rank": rank,
                "document_rank": document_rank(hits, question),
            }
        )
        records.append(record)
        if progress:
            progress(number, len(questions))
    return summarise(records, ranks, latencies), records


def summarise(records: list[dict], ranks: list[int | None], latencies: list[float]) -> dict:
    """Metrics over the records of one run; span scores are on CMRC's 0–100 scale, shares on 0–1."""
    answerable = [r for r in records if r["gold_answers"]]
    unanswerable = [r for r in records if not r["gold_answers"]]
    abstained = [r for r in records if r["abstained"]]
    computed = [r for r in records if r["kind"] == "computed"]
    ordered = sorted(latencies)

    by_kind = {}
    for kind in KINDS:
        rows = [r for r in records if r["kind"] == kind]
        if rows:
            by_kind[kind] = {
                "questions": len(rows),
                "answer_accuracy": _share(rows, lambda r: r["answer_correct"]),
                **_span_metrics([r for r in rows if r["gold_answers"]]),
                "abstention_reasons": abstention_reasons(rows),
            }
    return {
        "questions": len(records),
        **{key: value for key, value in summarise_ranks(ranks).items() if key != "questions"},
        "answer_accuracy": _share(answerable, lambda r: r["answer_correct"]),
        "citation_accuracy": _share(
            [r for r in answerable if r.get("citation_correct") is not None], lambda r: r["citation_correct"]
        ),
        "abstention_recall": _share(unanswerable, lambda r: r["abstained"]),
        "abstention_precision": _share(abstained, lambda r: not r["gold_answers"]),
        "false_abstention": _share(answerable, lambda r: r["abstained"]),
        "computed_accuracy": _share(computed, lambda r: r["answer_correct"]),
        "computed_correct": sum(1 for r in computed if r["answer_correct"]),
        **_span_metrics(answerable),
        "abstention_reasons": abstention_reasons(records),
        "latency_p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "latency_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
        **confidence_metrics(records),
        "by_kind": by_kind,
    }


def confidence_metrics(records: list[dict]) -> dict:
    """How far the confidence can be trusted: per band, how many answers and how many right (an answer to an
    unanswerable question is wrong); the share of wrong answers among those shown as sure (`high_band_wrong`); and
    a reliability table, predicted confidence against the observed share right, per bin of RELIABILITY_BINS."""
    answered = [r for r in records if not r["abstained"]]
    bands = {}
    for band in ("high", "check"):
        rows = [r for r in answered if r.get("confidence_band", "high") == band]
        bands[band] = {"answers": len(rows), "right": _share(rows, lambda r: r["answer_correct"])}
    bands["none"] = {"questions": len(records) - len(answered)}
    high = [r for r in answered if r.get("confidence_band", "high") == "high"]
    reliability = []
    scored = [r for r in answered if r.get("confidence") is not None]
    for low, high_end in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:]):
        rows = [r for r in scored if low <= r["confidence"] < high_end or (high_end == 1.0 and r["confidence"] == 1.0)]
        if rows:
            reliability.append(
                {
                    "bin": f"{low:.1f}–{high_end:.1f}",
                    "answers": len(rows),
                    "predicted": round(statistics.fmean(r["confidence"] for r in rows), 3),
                    "observed": _share(rows, lambda r: r["answer_correct"]),
                }
            )
    return {"bands": bands, "high_band_wrong": _share(high, lambda r: not r["answer_correct"]), "reliability": reliability}


# 可靠性表的分箱：按预测的把握分五档
RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def abstention_reasons(records: list[dict]) -> dict[str, int]:
    """How many records abstained, by veto name, most frequent first."""
    counts = Counter(veto_name(record) for record in records if record["abstained"])
    return dict(counts.most_common())


def _span_metrics(answerable: list[dict]) -> dict:
    """span EM / F1 (0–100) over answerable records, and the share of digit-gold questions whose span is exact."""
    scores = [span_scores(r.get("span", ""), r["gold_answers"], r["abstained"]) for r in answerable]
    digit_rows = [exact for (exact, _), r in zip(scores, answerable) if has_digit_gold(r["gold_answers"])]
    return {
        "span_exact_match": round(100 * statistics.fmean(e for e, _ in scores), 2) if scores else None,
        "span_f1": round(100 * statistics.fmean(f for _, f in scores), 2) if scores else None,
        "span_equals_gold_digits": _share(digit_rows, lambda exact: exact == 1.0),
        "digit_gold_questions": len(digit_rows),
    }


def _share(items: list, test: Callable) -> float | None:
    """Share of items passing test, 4 decimals; None for no items."""
    return round(sum(1 for item in items if test(item)) / len(items), 4) if items else None

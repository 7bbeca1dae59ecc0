"""Answer records: the answer sentence, its figures and citation, shown by how sure it is (high → the answer; check →
「可能是：……（把握不足，请核对原文）」; none → not found, with the closest passages)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from qa.reading.candidates import FigureCandidate, time_record
from qa.reading.reader import SpanCandidate
from qa.text.clauses import clause_breaks, leading_time, sentence_around
from qa.text.figures import Figure
from qa.types import Answer, Chunk, Citation, Hit, Veto

if TYPE_CHECKING:
    from qa.reading.intent import QuestionIntent

# 问题没说问计划还是实际数、原文只有计划数时，答案里这样标明
PLAN_MARK = "（这是计划或目标数）"
CHECK_PREFIX = "可能是："
CHECK_MARK = "（把握不足，请核对原文）"


def band_of(confidence: float | None, check_from: float, high_from: float) -> str:
    """The confidence band of an answer with this calibrated probability (None: computed, always shown as is)."""
    if confidence is None or confidence >= high_from:
        return "high"
    return "check" if confidence >= check_from else "none"


def shown(text: str, band: str) -> str:
    """The answer sentence as its band shows it; `text` ends with 「。[1]」."""
    if band != "check":
        return text
    body, _, marker = text.rpartition("。")
    return f"{CHECK_PREFIX}{body}{CHECK_MARK}。{marker}"


def figure_answer(
    question: str, candidate: FigureCandidate, hits: list[Hit], confidence: float | None, band: str, plan: bool = False
) -> Answer:
    """The answer from a figure candidate; a plan figure the question did not ask for is marked as one."""
    start, end = candidate.quote
    phrase = with_plain_value(candidate.phrase.rstrip("。；;，, "), candidate.figure)
    answer_text = shown(f"{phrase}{PLAN_MARK if plan else ''}。[1]", band)
    figures = (candidate.figure.as_dict() | ({"plan": True} if plan else {}),)
    citation = citation_of(candidate.hit.chunk, start, end, candidate.time)
    return Answer(question, answer_text, False, figures, (citation,), tuple(hits), candidate.figure.text, confidence, None, band)


def span_answer(question: str, candidate: SpanCandidate, hits: list[Hit], confidence: float, band: str, plan: bool = False) -> Answer:
    """The answer sentence (the span's clause, with its opening time phrase), the span and its citation; `plan`: the
    span is a plan figure the question did not ask for, marked as one."""
    chunk = candidate.hit.chunk
    start, end = sentence_around(chunk.text, candidate.start)
    sentence = chunk.text[start:end]
    local_start, local_end = candidate.start - start, min(candidate.end, end) - start
    breaks = [i for i in clause_breaks(sentence) if sentence[i] not in "（）()"]
    clause_start = max([i + 1 for i in breaks if i < local_start], default=0)
    clause_end = min([i for i in breaks if i >= local_end], default=len(sentence))
    clause = sentence[clause_start:clause_end].strip("，,；;、：: 。")
    if len(clause) < len(candidate.text) + 4 and clause_start > 0:
        # 分句太短（只有数字）：带上前一个分句，说明这是什么的数字
        previous = max([i + 1 for i in breaks if i < clause_start - 1], default=0)
        clause = sentence[previous:clause_end].strip("，,；;、：: 。")
        clause_start = previous
    lead = leading_time(sentence, clause_start)
    if candidate.figure is not None:
        clause = with_plain_value(clause, candidate.figure)
    answer_text = shown(f"{lead}{clause}{PLAN_MARK if plan else ''}。[1]", band)
    time = None
    if candidate.time_mention is not None and candidate.time_mention.relative:
        time = time_record(candidate.time_mention)
    citation = Citation(chunk.doc, chunk.title, chunk.section_path, sentence, chunk.start + start, chunk.start + end, time)
    figures = (
        (candidate.figure.as_dict() | ({"plan": True} if plan else {}),)
        if candidate.figure and candidate.figure.text in candidate.text
        else ()
    )
    return Answer(question, answer_text, False, figures, (citation,), tuple(hits), candidate.text, confidence, None, band)


def with_plain_value(text: str, figure: Figure) -> str:
    """The answer text with the figure's plain value beside it when the figure is written unusually
    (「5 6 3 0 万吨」 → 「5 6 3 0 万吨（5630万吨）」); the quote keeps the text as written."""
    if not figure.unusually_written or figure.text not in text:
        return text
    return text.replace(figure.text, f"{figure.text}（{figure.plain}）", 1)


def abstain(question: str, hits: list[Hit], veto: Veto | None = None, confidence: float | None = None) -> Answer:
    text = f"知识库中没有找到「{shorten(question, 40)}」的答案。下面是可能相关的段落，供参考。"
    return Answer(question, text, True, (), (), tuple(hits), confidence=confidence, veto=veto, confidence_band="none")


def confidence_veto(
    span: str, confidence: float, threshold: float, features: dict[str, float] | None = None, asked: QuestionIntent | None = None
) -> Veto:
    """Why the best answer is withheld: its confidence, and the evidence against it when there is some (the asked year
    or place not in its passage), which then names the veto."""
    reason = f"最可能的答案「{shorten(span, 20)}」把握只有 {confidence:.0%}，低于 {threshold:.0%}"
    features = features or {}
    if asked is not None and asked.years and (features.get("year_unmentioned") or features.get("year_unstated") or features.get("year_elsewhere") or features.get("year_mismatch")):
        said = "段落没有提到" if features.get("year_unmentioned") or features.get("year_unstated") else "它说的不是"
        return Veto("year", f"{reason}：{said}{'、'.join(asked.years)}年")
    if asked is not None and (features.get("place_unmentioned") or features.get("place_elsewhere")):
        return Veto("place", f"{reason}：段落说的不是问题里的地方")
    return Veto("confidence", reason)


def citation_of(chunk: Chunk, start: int, end: int, time: dict | None = None) -> Citation:
    """The citation of document offsets [start, end) inside a chunk."""
    quote = chunk.text[start - chunk.start : end - chunk.start]
    return Citation(chunk.doc, chunk.title, chunk.section_path, quote, start, end, time)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

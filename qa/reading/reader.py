"""Question + retrieved passages -> the answering span, its sentence, its time and a calibrated confidence.

The neural span reader proposes spans; the figure parser snaps a span to the whole figure it cuts
(「148.13万」→「148.13万户」) and checks that the figure's kind fits the question; the time module gives
every span the years it is about (「去年」 in a 2013 report is 2012) so that a question about another year is
not answered from it. Confidence comes from a logistic model over named features whose weights were fitted
on held-out reading-comprehension questions (`training/calibrate_reader.py`), not set by hand.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from qa.text.figures import Figure, find_figures
from qa.reading.reader_weights import NeuralReader
from qa.reading.time import TimeMention, TimeSpan, document_year, find_times, governing_mention, question_times
from qa.types import Hit

CALIBRATION_FILE = Path(__file__).resolve().parents[1] / "models" / "reader-calibration.json"
_SENTENCE_END = "。！？\n"


@dataclass(frozen=True)
class ReaderSettings:
    passages: int = 3  # 读检索结果的前几个段落（两核上每多读一个段落约多 60 ms）
    spans: int = 12  # 每个问题最多考虑几个候选片段
    # 片段与它切到的数字之间最多多出几个字，仍算作「答的就是这个数字」（「增长7.8%」→「7.8%」不算）
    snap_slack: int = 1


@dataclass(frozen=True)
class Calibration:
    """Logistic model: P(right) = sigmoid(bias + Σ weight·feature); fitted, saved in reader-calibration.json."""

    weights: dict[str, float]
    bias: float
    threshold: float  # 低于它就拒答
    fitted_on: str = ""

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(weight * features[name] for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["threshold"], data.get("fitted_on", ""))


# 校准前的占位：只看片段分与无答案分之差
UNCALIBRATED = Calibration({"null_margin": 1.0}, 0.0, 0.5, "uncalibrated")


@dataclass(frozen=True)
class SpanCandidate:
    """One possible answer inside a retrieved passage (offsets relative to the chunk text)."""

    hit: Hit
    start: int
    end: int
    reader_score: float
    null_score: float
    figure: Figure | None = None
    time: TimeSpan | None = None
    time_mention: TimeMention | None = None
    features: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.hit.chunk.text[self.start : self.end]


def read_spans(
    neural: NeuralReader, question: str, hits: list[Hit], settings: ReaderSettings, wants_figure: bool = False
) -> list[SpanCandidate]:
    """The reader's spans over the top passages, snapped to figures, with their time and features.

    When the question asks for a quantity, a span holding exactly one figure is trimmed to that figure
    (「3063件产品」→「3063件」): the exact answer is the figure with its unit."""
    read = hits[: settings.passages]
    spans = neural.read_passages(question, [hit.chunk.text for hit in read], top=settings.spans)
    if not spans:
        return []
    best = spans[0].score
    shares = _softmax([span.score for span in spans])
    candidates = []
    for span, share in zip(spans, shares):
        hit = read[span.passage]
        slack = len(hit.chunk.text) if wants_figure else settings.snap_slack
        start, end, figure = snap_to_figure(hit.chunk.text, span.start, span.end, slack)
        mention = governing_time(hit, start)
        candidates.append(
            SpanCandidate(
                hit,
                start,
                end,
                span.score,
                span.null_score,
                figure,
                mention.span if mention else None,
                mention,
                {
                    "null_margin": span.score - span.null_score,
                    "share": share,
                    "gap_to_best": span.score - best,
                    # 检索分数（z 分数）的尺度随语料大小而变，不作特征；只看名次
                    "first_passage": 1.0 if hit.rank == 1 else 0.0,
                },
            )
        )
    return candidates


def snap_to_figure(text: str, start: int, end: int, slack: int) -> tuple[int, int, Figure | None]:
    """Widen a span that cuts a figure to the whole figure (with its unit); keep other spans as they are."""
    sentence_start = max(text.rfind(mark, 0, start) for mark in _SENTENCE_END) + 1
    sentence_end = min((i for i in (text.find(mark, end) for mark in _SENTENCE_END) if i >= 0), default=len(text))
    sentence = text[sentence_start:sentence_end]
    overlapping = [
        f for f in find_figures(sentence) if f.start + sentence_start < end and f.end + sentence_start > start
    ]
    if len(overlapping) != 1:
        return start, end, None
    figure = overlapping[0]
    figure_start, figure_end = figure.start + sentence_start, figure.end + sentence_start
    outside = max(0, figure_start - start) + max(0, end - figure_end)
    if outside > slack:
        return start, end, figure  # 片段比数字长（「永禄5年（1562年）」）：保留原片段，只记下数字
    return figure_start, figure_end, figure


def governing_time(hit: Hit, position: int) -> TimeMention | None:
    """The time mention that governs a position of a chunk (see `time.governing_mention`)."""
    return governing_mention(hit.chunk.text, position, chunk_document_year(hit))


def chunk_document_year(hit: Hit) -> int | None:
    """The year the chunk's document was written (title, opening lines or file name)."""
    chunk = hit.chunk
    return document_year(chunk.title, chunk.title if chunk.start else chunk.text, chunk.doc)


def asked_times(question: str) -> list[TimeSpan]:
    return question_times(question)


def times_in_passage(hit: Hit) -> list[TimeSpan]:
    """Every year or range the passage (with its title and section path) speaks of, relative ones resolved."""
    year = chunk_document_year(hit)
    return [mention.span for mention in find_times(hit.chunk.context_text(), year) if not mention.comparison]


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]

"""Question + retrieved passages -> the answering span, its sentence, its time and a calibrated confidence.

The neural span reader proposes spans; the figure parser snaps a span to the whole figure it cuts
(「148.13万」→「148.13万户」) and checks that the figure's kind fits the question; the time module gives
every span the years it is about (「去年」 in a 2013 report is 2012) so that a question about another year is
not answered from it. How sure an answer is comes from `qa.reading.ranking`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from qa.reading.spans import Reading
from qa.text.time import TimeMention, TimeSpan, governing_mention, section_year
from qa.text.clauses import sentence_around
from qa.text.figures import Figure, find_figures
from qa.types import Hit


@dataclass(frozen=True)
class ReaderSettings:
    passages: int = 3  # 读检索结果的前几个段落（两核上每多读一个段落约多 60 ms）
    spans: int = 12  # 每个问题最多考虑几个候选片段
    # 片段与它切到的数字之间最多多出几个字，仍算作「答的就是这个数字」（「增长7.8%」→「7.8%」不算）
    snap_slack: int = 1


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

    @property
    def place(self) -> tuple[str, int, int]:
        """Where the span is written: its document and offsets there (the same for its copy in an overlapping chunk)."""
        return self.hit.chunk.doc, self.hit.chunk.start + self.start, self.hit.chunk.start + self.end


def read_spans(
    reading: Reading,
    hits: list[Hit],
    years: dict[str, int | None],
    wants_figure: bool = False,
    settings: ReaderSettings = ReaderSettings(),
) -> list[SpanCandidate]:
    """The reader's spans over the passages it read (`hits`, in reading order), snapped to figures, with their time and features.

    When the question asks for a quantity, a span holding exactly one figure is trimmed to that figure
    (「3063件产品」→「3063件」): the exact answer is the figure with its unit."""
    if not reading.spans:
        return []
    # 不同段落的片段分不能直接比：各减去本窗口「无答案」的分再比（段落越确定有答案，差越大）
    margins = reading.margins()
    shares = reading.shares()
    candidates = []
    for span, margin, share in zip(reading.spans, margins, shares):
        hit = hits[span.passage]
        slack = len(hit.chunk.text) if wants_figure else settings.snap_slack
        start, end, figure = snap_to_figure(hit.chunk.text, span.start, span.end, slack)
        mention = governing_time(hit, start, years.get(hit.chunk.doc))
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
                    "null_margin": margin,
                    "share": share,
                    "gap_to_best": margin - margins[0],
                    # 检索分数（z 分数）的尺度随语料大小而变，不作特征；只看名次
                    "first_passage": 1.0 if hit.rank == 1 else 0.0,
                },
            )
        )
    # 重叠的两段里同一处的片段是一个答案：读者对它的信念是两份之和，不是两个对手各占一半
    belief: dict[tuple[str, int, int], float] = {}
    for candidate in candidates:
        belief[candidate.place] = belief.get(candidate.place, 0.0) + candidate.features["share"]
    for candidate in candidates:
        candidate.features["share"] = belief[candidate.place]
    return candidates


def snap_to_figure(text: str, start: int, end: int, slack: int) -> tuple[int, int, Figure | None]:
    """Widen a span that cuts a figure to the whole figure (with its unit); keep other spans as they are."""
    sentence_start, sentence_end = sentence_around(text, start)
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


def governing_time(hit: Hit, position: int, document_year: int | None) -> TimeMention | None:
    """The time mention that governs a position of a chunk (see `time.governing_mention`)."""
    return governing_mention(
        hit.chunk.text, position, document_year, section_year=section_year(hit.chunk.section_path, document_year)
    )


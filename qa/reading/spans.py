"""What the reader's output is, without the model: proposed spans and the scores behind them. Kept free of torch so
that commands which never run the reader (index, search, the rules route) start without loading it."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class ReaderUnavailable(Exception):
    """The reader's weights are missing or do not fit; the message says what to do."""


@dataclass(frozen=True)
class PassageSpan:
    """A span the reader proposes: which passage, where in it, its score and the passage's no-answer score."""

    passage: int
    start: int
    end: int
    score: float
    null_score: float


@dataclass(frozen=True)
class Reading:
    """What the reader made of the passages: its best spans, and the token scores behind them."""

    spans: list[PassageSpan]
    windows: list
    owners: list[int]
    start_logits: np.ndarray
    end_logits: np.ndarray

    def margins(self) -> list[float]:
        """Each best span's score minus its window's no-answer score (comparable across passages)."""
        return [span.score - span.null_score for span in self.spans]

    def best_margin(self) -> float | None:
        return self.margins()[0] if self.spans else None

    def shares(self) -> list[float]:
        """A softmax over the best spans' margins: how the reader spreads its belief among them."""
        margins = self.margins()
        if not margins:
            return []
        top = max(margins)
        exps = [math.exp(margin - top) for margin in margins]
        return [value / sum(exps) for value in exps]

    def share_over(self, passage: int, start: int, end: int) -> float:
        """The reader's belief on the best spans that overlap characters [start, end) of one passage."""
        return sum(
            share
            for span, share in zip(self.spans, self.shares())
            if span.passage == passage and span.start < end and span.end > start
        )

    def margin(self, passage: int, start: int, end: int) -> float | None:
        """The reader's score for one given character span minus its window's no-answer score
        (the best over the windows that hold the whole span); None when no window read it."""
        best = None
        for row, (window, owner) in enumerate(zip(self.windows, self.owners)):
            tokens = token_span(window, start, end) if owner == passage else None
            if tokens is None:
                continue
            first, last = tokens
            offset = window.passage_offset
            score = self.start_logits[row, offset + first] + self.end_logits[row, offset + last]
            null = self.start_logits[row, 0] + self.end_logits[row, 0]
            best = max(best if best is not None else -np.inf, float(score - null))
        return best


def token_span(window, start: int, end: int) -> tuple[int, int] | None:
    """The window's first and last passage tokens covering characters [start, end); None when the window does not hold them all."""
    if not window.starts or window.starts[0] > start or window.ends[-1] < end:
        return None
    first = next(i for i, token_end in enumerate(window.ends) if token_end > start)
    last = next(i for i in range(len(window.starts) - 1, -1, -1) if window.starts[i] < end)
    return first, last

"""training/train_ranker.py: which figure candidates count as right when the ranker and its calibration are fitted."""
from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "training"))

from train_ranker import is_right  # noqa: E402


@pytest.mark.parametrize(
    ("figure", "gold"),
    [
        ("3000人", "约3000人"),  # a qualifier around the same digits
        ("6.4%", "６．４％"),  # full-width gold
        ("十亿人", "十亿人民"),  # Chinese numerals: the gold adds a word, not a number
        ("八项", "八项主张"),
    ],
)
def test_the_same_figure_with_words_around_it_is_right(figure, gold):
    assert is_right(figure, (gold,))


@pytest.mark.parametrize(
    ("figure", "gold"),
    [
        ("一九八三年", "一九八三年六月"),  # the gold is more precise: its month is a number too
        ("41.7%", "41.7%到86.7%"),  # one end of a range
        ("32.9平方米", "37.1平方米"),
        ("八项", "十八项"),
    ],
)
def test_part_of_the_gold_or_another_figure_is_wrong(figure, gold):
    assert not is_right(figure, (gold,))

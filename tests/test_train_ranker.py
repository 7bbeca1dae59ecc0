"""training/train_ranker.py: which figure candidates count as right when the ranker and its calibration are fitted."""
from __future__ import annotations


import pytest


from train_ranker import AskedFigures, is_right, supported_rows

from qa.reading.ranking import Calibration, FigureRanker


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


def test_confidence_is_fitted_on_one_copy_of_each_figure_but_the_choice_on_all():
    """The choice is fitted with every copy of a right figure counting as right (their probabilities add up); its
    confidence on the copy that would be answered, as `Answerer.rank_figures` answers."""
    asked = AskedFigures(
        "dev", True, [{"overlap": 1.0}, {"overlap": 0.8}, {"overlap": 0.5}, {"overlap": 0.9}],
        [True, True, False, False], [False, False, False, True], ["a@1", "a@1", "a@9", "a@20"],
    )
    ranker = FigureRanker({"overlap": 2.0}, {}, 0.0, Calibration({"odds_over_none": 1.0}, 0.0, 0.5))
    assert supported_rows(asked) == ([{"overlap": 1.0}, {"overlap": 0.8}, {"overlap": 0.5}], [True, True, False])
    assert supported_rows(asked, ranker) == ([{"overlap": 1.0}, {"overlap": 0.5}], [True, False])

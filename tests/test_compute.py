"""Computed answers: which two figures of a sentence are the two ends of a change."""

from __future__ import annotations

import pytest

from qa.reading.compute import change_pair, compute, previous_year_value
from qa.text.figures import find_figures


def pair(sentence: str) -> tuple[str, str] | None:
    figures = find_figures(sentence)
    for position in range(len(figures) - 1):
        found = change_pair(sentence, figures, position)
        if found:
            return found[0].text, found[1].text
    return None


@pytest.mark.parametrize(
    "sentence, ends",
    [
        ("出口额由389亿元增长至1464.85亿元。", ("389亿元", "1464.85亿元")),
        ("人均补贴从2002年的1200元增加到2007年的2000元。", ("1200元", "2000元")),
        ("贷款余额从2007年末的6.12万亿元增加到2012年末的17.63万亿元。", ("6.12万亿元", "17.63万亿元")),
        ("月均养老金从2004年人均每月700元提高到现在的1721元。", ("700元", "1721元")),
    ],
)
def test_the_two_ends_of_a_change_with_times_between_them(sentence: str, ends: tuple[str, str]):
    assert pair(sentence) == ends


def test_figures_that_are_not_a_change_are_no_pair():
    assert pair("营业收入达到500亿元，从300亿元起步的企业增加到120家。") is None
    assert pair("出口额由不足50亿元增长至300多亿元。") is None  # 约数不做减法


def test_the_difference_is_written_in_the_inputs_unit():
    figures = find_figures("贷款余额从6.12万亿元增加到17.63万亿元。")
    result, formula, value, unit = compute("difference", figures[0], figures[1])
    assert result == "11.51万亿元" and formula == "17.63万亿元 − 6.12万亿元 = 11.51万亿元"


@pytest.mark.parametrize(
    "sentence, figure, result",
    [
        ("全国普通高校招生２６８万人，比上年增加４８万人。", "２６８万人", "220万人"),
        ("粮食产量6000亿斤，比上年减少200亿斤。", "6000亿斤", "6200亿斤"),
        # 目标是个界：今年的界比去年的高100万人，去年的界就是1000万人以上
        ("城镇新增就业1100万人以上，比去年多100万人。", "1100万人以上", "1000万人以上"),
    ],
)
def test_the_year_before_from_a_figure_and_its_change(sentence: str, figure: str, result: str):
    figures = find_figures(sentence)
    position = [f.text for f in figures].index(figure)
    assert previous_year_value(sentence, figures, position)[0] == result


@pytest.mark.parametrize(
    "sentence",
    ["出口增长8%，比上年提高2个百分点。", "招生300多万人，比上年增加48万人。", "收入3000亿元左右，比上年增加500亿元。", "招生268万人，在校生比上年增加48万人。"],
)
def test_no_year_before_from_rates_approximations_or_another_subject(sentence: str):
    figures = find_figures(sentence)
    assert all(previous_year_value(sentence, figures, i) is None for i in range(len(figures)))

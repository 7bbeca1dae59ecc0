"""CMRC-style answer scores on invented strings: normalisation, exact match, character F1."""

import pytest

from qa.scoring import char_f1, exact_match, normalise_answer


@pytest.mark.parametrize(
    "text, normalised",
    [
        ("148.13 万户。", "14813万户"),  # CMRC 把小数点也当标点去掉
        ("《战国无双3》", "战国无双3"),
        ("  南非，德班　港！", "南非德班港"),  # 全角空格、全角标点
        ("ABC Corp.", "abccorp"),
        ("", ""),
    ],
)
def test_normalise_answer_drops_punctuation_and_spaces_and_lowers(text: str, normalised: str):
    assert normalise_answer(text) == normalised


def test_exact_match_after_normalisation_against_any_gold():
    assert exact_match("《战国无双3》", ["战国无双3"]) == 1.0
    assert exact_match("1966年", ["一九六六年", "1966年 "]) == 1.0
    assert exact_match("148.13万", ["148.13万户"]) == 0.0
    assert exact_match("", ["巴西"]) == 0.0


def test_char_f1_of_a_span_missing_its_unit():
    # 「14813万」与「14813万户」：公共子串 6 字，精确率 1，召回率 6/7
    assert char_f1("148.13万", ["148.13万户"]) == pytest.approx(12 / 13)


def test_char_f1_takes_the_best_gold():
    # 「德班」：精确率 2/4、召回率 1 → 2/3；「南非德班港」：精确率 1、召回率 4/5 → 8/9
    assert char_f1("南非德班", ["德班", "南非德班港"]) == pytest.approx(8 / 9)
    assert char_f1("南非德班", ["德班"]) == pytest.approx(2 / 3)


def test_char_f1_ignores_punctuation_and_scores_nothing_for_no_overlap_or_empty():
    assert char_f1("巴西。", ["巴西"]) == 1.0
    assert char_f1("葡萄牙", ["巴西"]) == 0.0
    assert char_f1("", ["巴西"]) == 0.0
    assert char_f1("巴西", []) == 0.0

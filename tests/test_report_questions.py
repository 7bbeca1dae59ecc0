"""training/report_questions.py: figure questions written from report sentences, time resolved from the report's date."""
from __future__ import annotations

import random
from pathlib import Path



from report_questions import report_questions

REPORT = (
    "2013年政府工作报告\n"
    "过去五年，全国新建保障性住房1800万套。\n"
    "去年，城镇新增就业1266万人，居民消费价格涨幅回落到2.6%。\n"
    "今年，城镇新增就业900万人以上。\n"
)


def _questions(tmp_path: Path, excluded: set[str]) -> dict[str, str]:
    path = tmp_path / "gwr-2013.txt"
    path.write_text(REPORT, encoding="utf-8")
    return {row["question"]: row["answers"][0] for row in report_questions(path, excluded, random.Random(0))}


def test_relative_times_become_the_years_they_mean_and_targets_say_so(tmp_path: Path):
    assert _questions(tmp_path, set()) == {
        "2008年至2012年全国新建保障性住房多少？": "1800万套",
        "2012年城镇新增就业多少？": "1266万人",
        "2012年居民消费价格涨幅回落到多少？": "2.6%",
        "2013年计划城镇新增就业多少？": "900万人以上",
    }


def test_a_sentence_holding_an_evaluation_answer_gives_no_question(tmp_path: Path):
    questions = _questions(tmp_path, {"2.6%"})
    assert "1266万人" not in questions.values() and "2.6%" not in questions.values()
    assert "1800万套" in questions.values()

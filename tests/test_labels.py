"""What a person sees instead of the program's internal names (qa/app/labels.py)."""
from datetime import datetime, timezone

from qa.app.labels import KIND_LABELS, METRIC_ROWS, VETO_LABELS, local_time, metric_label, metric_value, reason_counts, result_label, veto_label
from qa.evaluate import KINDS


def test_times_are_shown_in_the_local_zone_to_the_minute():
    moment = datetime(2026, 12, 6, 6, 10, 6, tzinfo=timezone.utc)
    assert local_time(moment.isoformat()) == moment.astimezone().strftime("%Y-%m-%d %H:%M")
    assert local_time("不是时间") == "不是时间"


def test_reasons_results_and_metrics_are_words():
    assert reason_counts({"confidence": 3, "year": 1}) == "把握不足 3、年份对不上 1"
    assert reason_counts({}) == "—"
    assert veto_label("something_new") == "其他原因"
    assert result_label("ok") == "成功" and result_label("文件太大") == "文件太大"
    assert metric_label("answer_accuracy") == "答案准确率"


def test_metrics_are_numbers_a_person_reads():
    assert metric_value("answer_accuracy", 0.89041) == "89.0%" and metric_value("hit@1", 1) == "100.0%"
    assert metric_value("span_f1", 82.876) == "82.9" and metric_value("questions", 167) == "167"
    assert metric_value("latency_p50_ms", 325.14) == "325" and metric_value("computed_accuracy", None) == "—"


def test_every_kind_every_metric_and_every_veto_has_chinese_words():
    assert set(KINDS) <= set(KIND_LABELS)
    for label in [*KIND_LABELS.values(), *VETO_LABELS.values(), *(label for label, _ in METRIC_ROWS)]:
        assert not any("a" <= char.lower() <= "z" for char in label.replace("F1", "")), label

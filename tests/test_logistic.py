"""qa/lab/logistic.py: where the 「high」 band starts, on invented confidences."""
from __future__ import annotations


import numpy as np


from qa.lab.logistic import choose_high_threshold, high_band_by_group


def test_the_high_band_starts_where_every_higher_band_stays_within_the_limit():
    # 0.95 以上全对；0.90 一个错答；0.60–0.85 全对：偶然在 0.60 处又达标的低点不取
    confidence = np.array([0.99, 0.97, 0.95, 0.90, 0.85, 0.80, 0.70, 0.60])
    right = np.array([True, True, True, False, True, True, True, True])
    answerable = np.ones(8, dtype=bool)
    threshold, stats = choose_high_threshold(confidence, right, answerable, floor=0.3)
    assert threshold == 0.91 and stats["high_answers"] == 3 and stats["high_wrong"] == 0.0


def test_the_high_band_is_chosen_on_the_reports_and_reported_on_the_rest():
    confidence = np.array([0.99, 0.9, 0.8, 0.7, 0.99, 0.9, 0.8, 0.7])
    right = np.array([True, True, True, True, True, False, True, True])
    answerable = np.ones(8, dtype=bool)
    reports = np.arange(8) < 4
    threshold, stats = high_band_by_group(confidence, right, answerable, 0.3, reports)
    assert threshold == 0.3  # 报告题在拒答门槛以上全对：整个「可核对」一档都是「把握高」
    assert stats["reports_high_answers"] == 4 and stats["reports_high_wrong"] == 0.0 and stats["mrc_high_wrong"] == 0.25

"""training/logistic.py: where the 「high」 band starts, on invented confidences."""
from __future__ import annotations

import sys

import numpy as np
from conftest import ROOT

sys.path.insert(0, str(ROOT / "training"))

from logistic import choose_high_threshold, choose_shared_high_threshold  # noqa: E402


def test_the_high_band_starts_where_every_higher_band_stays_within_the_limit():
    # 0.95 以上全对；0.90 一个错答；0.60–0.85 全对：偶然在 0.60 处又达标的低点不取
    confidence = np.array([0.99, 0.97, 0.95, 0.90, 0.85, 0.80, 0.70, 0.60])
    right = np.array([True, True, True, False, True, True, True, True])
    answerable = np.ones(8, dtype=bool)
    threshold, stats = choose_high_threshold(confidence, right, answerable, floor=0.3)
    assert threshold == 0.91 and stats["high_answers"] == 3 and stats["high_wrong"] == 0.0


def test_one_high_threshold_holds_in_every_group():
    confidence = np.array([0.99, 0.9, 0.8, 0.7, 0.99, 0.9, 0.8, 0.7])
    right = np.array([True, True, True, True, True, False, True, True])
    answerable = np.ones(8, dtype=bool)
    reports = np.arange(8) < 4
    threshold, stats = choose_shared_high_threshold(confidence, right, answerable, 0.3, {"reports": reports, "mrc": ~reports})
    assert threshold == 0.91  # 报告题从 0.7 起就全对，百科题要 0.9 以上
    assert stats["reports_high_answers"] == 1 and stats["mrc_high_wrong"] == 0.0

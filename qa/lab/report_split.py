"""Which report training questions the reader's stage two reads and which it leaves to the fits.

A reader is surer of questions it was trained on than of new ones, so a ranker or a calibration fitted on them trusts
it too much and sets its thresholds too low. With `--held-out-reports`, `train_reader.py --reports` leaves out a
share of training/data/report_train.jsonl and `train_ranker.py` / `calibrate_reader.py` fit on that share only. The
split goes by evidence sentence, so that every rewording of one fact falls on the same side; unanswerable questions
are never read in training (they have no span) and always stay with the fits.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qa.lab.paths import TRAINING_DATA

FIT_SHARE = 0.25  # 留给拟合的证据句的份额：约 400 道可答题，够排序模型和校准各自的报告题行


def kept_for_fit(row: dict) -> bool:
    """Whether a report training question (a row of report_train.jsonl) is left out of stage two for the fits."""
    if not row.get("answers"):
        return True
    key = row.get("evidence") or str(row["id"])
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) / 16**8 < FIT_SHARE


def fit_ids(path: Path) -> set[str]:
    """The ids of the questions in `path` that are kept for the fits."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(row["id"]) for row in rows if kept_for_fit(row)}


REPORT_TRAIN = TRAINING_DATA / "report_train.jsonl"


def questions_for_fits(path: Path, held_out: bool) -> list:
    """The questions of an evaluation-format file for a fit: all of them, except that with `held_out` the report
    training file gives only those kept for the fits (the reader's stage two read the others)."""
    from qa.evaluate import load_questions  # 训练读者时用不着：train_reader 只要上面的 kept_for_fit

    questions = load_questions(path)
    if not held_out or Path(path).resolve() != REPORT_TRAIN:
        return questions
    kept = fit_ids(path)
    return [question for question in questions if question.id in kept]

"""Fit the reader's confidence (a logistic model over named features) and its abstention threshold.

    python training/calibrate_reader.py        # writes qa/models/reader-calibration.json
    python training/calibrate_reader.py --reader NEW.npz --output NEW-calibration.json
                                               # a candidate reader, before it replaces the shipped one

Data: the questions that do not ask for a figure (those go to the figure ranker) on the *dev* paragraphs of CMRC 2018 dev-open and DRCD dev (`qa.mrc.split_of`; never used to train the
reader, never used to report). Each dev question is asked open-domain over an index of all the file's
paragraphs (the same corpus as benchmarks/mrc_open.py) twice:
- as is: label 1 when the chosen span is right (character F1 with a gold answer >= RIGHT_F1), else 0;
- with its own paragraph removed from the retrieved passages: label 0 (the right behaviour is to abstain).
Also the questions that do not ask for a figure in eval/gwr_dev.jsonl and training/data/report_train.jsonl, over an
index of the seven reports and the seeds (`--reports-index`), as is and (answerable ones) without their report.
The threshold maximises (answerable questions answered right + unanswerable ones abstained) on these, the two
weighted to `qa/lab/logistic.py::UNANSWERABLE_SHARE` (half the rows are unanswerable here, far more than in use);
above it the 「high」 band starts where at most 3 % of the answers given to all these questions are wrong, and at
every higher confidence with at least 20 answers (`logistic.choose_high_threshold`): the reader has read the report
training questions in its second stage, so on them alone its confidence looks better than on new text.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from qa.lab.logistic import UNANSWERABLE_SHARE, choose_threshold, high_band_by_group, fit_logistic_nonpositive
from qa.lab.mrc_corpus import DEFAULT_WORKDIR, index_paragraphs
from qa.lab.paths import ROOT, MRC as DATA, REPORTS_INDEX
from qa.lab.report_split import questions_for_fits
from qa.mrc import load_mrc
from qa.pipeline import SEARCH_DEPTH, Pipeline
from qa.reading.evidence import EVIDENCE_FEATURES
from qa.reading.intent import analyse_question
from qa.reading.ranking import CALIBRATION_FILE, UNCALIBRATED
from qa.reading.reader_weights import READER_WEIGHTS, load_reader
from qa.scoring import char_f1
from qa.search.retrieve import clean_question, load_index

FILES = ("cmrc2018_dev_open", "DRCD_dev")
RIGHT_F1 = 0.5
REPORT_FILES = (ROOT / "eval" / "gwr_dev.jsonl", ROOT / "training" / "data" / "report_train.jsonl")


def collect(reader) -> tuple[list[dict], list[int], list[bool]]:
    rows, labels, answerable = [], [], []
    for name in FILES:
        paragraphs = load_mrc(DATA / f"{name}.json")
        workdir = DEFAULT_WORKDIR / name
        names, _ = index_paragraphs(paragraphs, workdir)
        pipeline = Pipeline(load_index(workdir / "index"), reader, UNCALIBRATED)
        answerer = pipeline.answerer
        for paragraph in paragraphs:
            if paragraph.split != "dev":
                continue
            own = names[paragraph.id]
            for question in paragraph.questions:
                intent = analyse_question(question.question)
                if intent.wants_figure:
                    continue  # 数字题由数字排序模型回答（training/train_ranker.py），它有自己的阈值
                hits = answerer.retrieve(question.question, SEARCH_DEPTH)
                for keep_own in (True, False):
                    shown = hits if keep_own else [hit for hit in hits if hit.chunk.doc != own]
                    chosen, features, _ = answerer.choose_span(question.question, intent, shown[: answerer.settings.passages])
                    if chosen is None:
                        continue
                    right = keep_own and char_f1(chosen.text, question.answers) >= RIGHT_F1
                    rows.append(features)
                    labels.append(int(right))
                    answerable.append(keep_own)
            print(f"{name}: {len(rows)} rows", file=sys.stderr, flush=True)
    return rows, labels, answerable


def collect_reports(reader, index_dir: Path, held_out: bool = False) -> tuple[list[dict], list[int], list[bool]]:
    """The report questions that do not ask for a figure: as is, and (answerable ones) without their report; of the
    training questions only those stage two left out when `held_out` (qa/lab/report_split.py)."""
    rows, labels, answerable = [], [], []
    pipeline = Pipeline(load_index(index_dir), reader, UNCALIBRATED)
    answerer = pipeline.answerer
    for path in REPORT_FILES:
        for question in questions_for_fits(path, held_out):
            text = clean_question(question.question)
            intent = analyse_question(text)
            if intent.wants_figure or question.kind == "computed":
                continue
            hits = answerer.retrieve(text, SEARCH_DEPTH)
            askings = [(hits, question.answerable)]
            if question.answerable and question.doc:
                askings.append(([hit for hit in hits if hit.chunk.doc != question.doc], False))
            for shown, can_answer in askings:
                chosen, features, _ = answerer.choose_span(text, intent, shown[: answerer.settings.passages])
                if chosen is None:
                    continue
                rows.append(features)
                labels.append(int(can_answer and char_f1(chosen.text, question.answers) >= RIGHT_F1))
                answerable.append(can_answer)
    print(f"reports: {len(rows)} rows", file=sys.stderr, flush=True)
    return rows, labels, answerable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reader", type=Path, default=READER_WEIGHTS, help="reader weights (default: the shipped ones)")
    parser.add_argument("--output", type=Path, default=CALIBRATION_FILE, help="where the calibration goes")
    parser.add_argument("--rows", type=Path, default=ROOT / "training" / "checkpoints" / "calibration_rows.json",
                        help="cache of the collected rows (reused with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="fit from the cached rows instead of asking again")
    parser.add_argument("--reports-index", type=Path, default=REPORTS_INDEX,
                        help="index of ../shared/data/gwr/*.txt + ../shared/seeds/*.txt (see benchmarks/reader_report.sh)")
    parser.add_argument("--held-out-reports", action="store_true",
                        help="of report_train.jsonl, use the questions the reader's stage two left out only (qa/lab/report_split.py)")
    args = parser.parse_args()
    reader = load_reader(args.reader)
    if args.reuse and args.rows.exists():
        cached = json.loads(args.rows.read_text(encoding="utf-8"))
        (rows, labels, answerable), (report_rows, report_labels, report_answerable) = cached["mrc"], cached["reports"]
    else:
        rows, labels, answerable = collect(reader)
        report_rows, report_labels, report_answerable = collect_reports(reader, args.reports_index, args.held_out_reports)
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        cache = {"mrc": [rows, labels, answerable], "reports": [report_rows, report_labels, report_answerable]}
        args.rows.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    rows, labels, answerable = rows + report_rows, labels + report_labels, answerable + report_answerable
    names = sorted(rows[0])
    x = np.array([[row[name] for name in names] for row in rows])
    y = np.array(labels, dtype=float)
    # 证据特征（段落没提到问的年份、地方……）只能减分
    weights, bias = fit_logistic_nonpositive(x, y, tuple(i for i, name in enumerate(names) if name in EVIDENCE_FEATURES))
    probabilities = 1 / (1 + np.exp(-(x @ weights + bias)))
    threshold, stats = choose_threshold(probabilities, y == 1, np.array(answerable))
    # 「把握高」一档的门槛按全部题定：报告训练题阅读器在第二阶段读过，只看它们，门槛会低到百科题错上 8–10 %
    reports = np.arange(len(y)) >= len(y) - len(report_rows)
    high_threshold, high_stats = high_band_by_group(
        probabilities, y == 1, np.array(answerable), threshold, reports, chosen_on=np.ones(len(y), dtype=bool)
    )
    stats |= high_stats
    calibration = {
        "weights": {name: round(float(w), 5) for name, w in zip(names, weights)},
        "bias": round(bias, 5),
        "threshold": round(threshold, 3),
        "high_threshold": high_threshold,
        "fitted_on": (
            f"dev paragraphs of {', '.join(FILES)} and the non-figure questions of "
            f"{', '.join(path.name for path in REPORT_FILES)}: {len(y)} rows ({len(report_rows)} of reports), "
            f"{int(y.sum())} right (unanswerable share {UNANSWERABLE_SHARE})"
        ),
        "dev": stats,
        "reader": reader.info,
    }
    args.output.write_text(json.dumps(calibration, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    bins = np.digitize(probabilities, [0.2, 0.4, 0.6, 0.8])
    for b in range(5):
        chosen = bins == b
        if chosen.any():
            print(f"confidence bin {b}: {chosen.sum()} rows, mean predicted {probabilities[chosen].mean():.2f}, right {y[chosen].mean():.2f}")
    print(json.dumps(calibration, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

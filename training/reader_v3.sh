#!/usr/bin/env bash
# Reader v3 (issue 22, after v2): a second epoch over all MRC training questions from v2-full's weights at half the
# rate (the learning curve in qa/models/READER_CARD.md: one epoch is far from the data's limit), then stage two on the
# reports' own language as for v2 (training/data/report_train.jsonl: 1,678 questions on 2026-12-07, with v2b's MRC replay, 472 steps); each
# exported and scored on the held-out test paragraphs and the report dev sets (training/logs/v3-mrc.json,
# training/logs/v3-reports.json). Resumable: each run keeps its checkpoints in training/checkpoints/<run>/. About
# 2.9 hours of CPU (1,603 + 472 steps on 2 cores); a lent GPU takes `cuda`.
# Then refit the ranker and the calibration on it and measure everything, in one command:
#   bash training/try_reader.sh training/checkpoints/v3-reports.npz [GWR_INDEX]
# (training/average_readers.py makes a soup of the two stages, e.g. --runs v3-mrc v3-reports --run v3-soup, to
# export and score the same way; choose between candidates with `train_reader.py --score 200 --split dev`.)
# Usage: training/reader_v3.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu). Starts from v2-full's checkpoint
# where training/reader_v2.sh left one, else from reader v2 as shipped (taken from git, dequantised; in a fresh clone).
source "$(dirname "$0")/reader_steps.sh" "$@"
START=training/checkpoints/v2-full/latest.pt
[ -f "$START" ] || START=$(reader_v2)
"$PYTHON" training/train_reader.py --run v3-mrc --init-from "$START" --script-mix --bf16 \
  --epochs 1 --lr 3e-5 --warmup 0.03 --seed 31 --device "$DEVICE" >> training/logs/v3-mrc.log 2>&1
export_and_score v3-mrc
# Stage two as v2b's (one epoch, three times as many MRC questions replayed): the first v3's two epochs without
# replay cost 1.4 CMRC F1 and left it under 80.
# The report questions kept for the ranker's and the calibration's fits are left out (--held-out-reports,
# training/report_split.py): fitted on questions the reader has read, they trusted it too much.
"$PYTHON" training/train_reader.py --run v3-reports --reports --held-out-reports --replay 3 --init-from training/checkpoints/v3-mrc/latest.pt \
  --bf16 --epochs 1 --lr 3e-5 --warmup 0.1 --seed 29 --device "$DEVICE" >> training/logs/v3-reports.log 2>&1
export_and_score v3-reports

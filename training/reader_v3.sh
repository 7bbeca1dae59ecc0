#!/usr/bin/env bash
# Reader v3 (issue 22, after v2): a second epoch over all MRC training questions from v2-full's weights at half the
# rate (the learning curve in qa/models/READER_CARD.md: one epoch is far from the data's limit), then stage two on the
# reports' own language as for v2b (training/data/report_train.jsonl less the quarter of its facts kept for the fits:
# 1,046 questions on 2026-12-07, with three times as many MRC questions replayed, 335 steps); each exported and scored
# on the held-out test paragraphs and the report dev sets (training/logs/v3-mrc.json, training/logs/v3-reports.json).
# Resumable: each run keeps its checkpoints in training/checkpoints/<run>/. About 2.7 hours of CPU (1,602 + 335 steps
# at about 5 s a step on 2 cores); a lent GPU takes `cuda`.
# Then refit the ranker and the calibration on it and measure everything, in one command:
#   bash training/try_reader.sh training/checkpoints/v3-reports.npz [GWR_INDEX]
# (training/average_readers.py makes a soup of the two stages, e.g. --runs v3-mrc v3-reports --run v3-soup, to
# export and score the same way; choose between candidates with `train_reader.py --score 200 --split dev`.)
# Usage: training/reader_v3.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu). Starts from v2-full's checkpoint
# where training/reader_v2.sh left one, else from reader v2 as shipped (taken from git, dequantised; in a fresh clone).
source "$(dirname "$0")/reader_steps.sh" "$@"
source training/reader_v3_stages.sh  # (reader_steps.sh has moved to the repository root)
START=training/checkpoints/v2-full/latest.pt
[ -f "$START" ] || START=$(reader_v2)
"$PYTHON" training/train_reader.py --run v3-mrc --init-from "$START" "${V3_STAGE_ONE[@]}" --bf16 --device "$DEVICE" \
  >> training/logs/v3-mrc.log 2>&1
export_and_score v3-mrc
"$PYTHON" training/train_reader.py --run v3-reports --init-from training/checkpoints/v3-mrc/latest.pt "${V3_STAGE_TWO[@]}" \
  --bf16 --device "$DEVICE" >> training/logs/v3-reports.log 2>&1
export_and_score v3-reports

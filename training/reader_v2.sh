#!/usr/bin/env bash
# Reader v2 after its long run (issue 22): v2-full (all MRC training questions), then stage two on the reports' own
# language (training/data/report_train.jsonl with an MRC replay); each exported and scored on the held-out test
# paragraphs (training/logs/v2-full.json, training/logs/v2-reports.json). Resumable: each run keeps its checkpoints in
# training/checkpoints/<run>/. Then refit the ranker and the calibration on the chosen reader (qa/models/READER_CARD.md).
# Usage: training/reader_v2.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu)
source "$(dirname "$0")/reader_steps.sh" "$@"
"$PYTHON" training/train_reader.py --run v2-full --script-mix --bf16 --epochs 1 --lr 6e-5 --warmup 0.06 --seed 13 \
  --device "$DEVICE" >> training/logs/v2-full.log 2>&1
export_and_score v2-full
"$PYTHON" training/train_reader.py --run v2-reports --reports --init-from training/checkpoints/v2-full/latest.pt \
  --bf16 --epochs 2 --lr 3e-5 --warmup 0.1 --seed 29 --device "$DEVICE" >> training/logs/v2-reports.log 2>&1
export_and_score v2-reports

#!/usr/bin/env bash
# Reader v3 (issue 22, next step after v2): a second epoch over all MRC training questions from v2-full's weights at
# half the rate (the learning curve in qa/models/READER_CARD.md: one epoch is far from the data's limit), then stage
# two on the reports' own language as for v2; each exported and scored on the held-out test paragraphs
# (training/logs/v3-mrc.json, training/logs/v3-reports.json). Resumable: each run keeps its checkpoints in
# training/checkpoints/<run>/. About 2 hours of CPU (1,603 + 114 steps on 2 cores); a lent GPU takes `cuda`.
# Then refit the ranker and the calibration on the chosen reader before it replaces the shipped one:
#   python training/train_ranker.py --reader training/checkpoints/v3-reports.npz --output NEW-ranker.json
#   python training/calibrate_reader.py --reader training/checkpoints/v3-reports.npz --output NEW-calibration.json
# Usage: training/reader_v3.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu); needs training/checkpoints/v2-full/
source "$(dirname "$0")/reader_steps.sh" "$@"
"$PYTHON" training/train_reader.py --run v3-mrc --init-from training/checkpoints/v2-full/latest.pt --script-mix --bf16 \
  --epochs 1 --lr 3e-5 --warmup 0.03 --seed 31 --device "$DEVICE" >> training/logs/v3-mrc.log 2>&1
export_and_score v3-mrc
"$PYTHON" training/train_reader.py --run v3-reports --reports --init-from training/checkpoints/v3-mrc/latest.pt \
  --bf16 --epochs 2 --lr 3e-5 --warmup 0.1 --seed 29 --device "$DEVICE" >> training/logs/v3-reports.log 2>&1
export_and_score v3-reports

#!/usr/bin/env bash
# Reader v2 after its long run (issue 22): export and score v2-full, then stage two on the reports' own language
# (training/data/report_train.jsonl with an MRC replay), export and score that too. Resumable: each run keeps its
# checkpoints in training/checkpoints/<run>/. Scores (gold paragraph given, held-out test paragraphs):
#     training/logs/v2-full.json, training/logs/v2-reports.json
# Then refit the ranker and the calibration on the chosen reader (see qa/models/READER_CARD.md).
# Usage: training/reader_v2.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-.venv/bin/python}
DEVICE=${2:-cpu}
SCORED_QUESTIONS=200
mkdir -p training/logs
"$PYTHON" training/train_reader.py --run v2-full --script-mix --bf16 --epochs 1 --lr 6e-5 --warmup 0.06 --seed 13 \
  --device "$DEVICE" >> training/logs/v2-full.log 2>&1
"$PYTHON" training/train_reader.py --run v2-full --export --output training/checkpoints/v2-full.npz
"$PYTHON" training/train_reader.py --score "$SCORED_QUESTIONS" --reader training/checkpoints/v2-full.npz \
  > training/logs/v2-full.json
"$PYTHON" training/train_reader.py --run v2-reports --reports --init-from training/checkpoints/v2-full/latest.pt \
  --bf16 --epochs 2 --lr 3e-5 --warmup 0.1 --seed 29 --device "$DEVICE" >> training/logs/v2-reports.log 2>&1
"$PYTHON" training/train_reader.py --run v2-reports --export --output training/checkpoints/v2-reports.npz
"$PYTHON" training/train_reader.py --score "$SCORED_QUESTIONS" --reader training/checkpoints/v2-reports.npz \
  > training/logs/v2-reports.json

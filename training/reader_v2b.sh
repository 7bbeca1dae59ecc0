#!/usr/bin/env bash
# Reader v2b (issue 22, after v3 was trained and not shipped): from reader v2 as shipped (commit 65f9892's
# qa/models/reader-int8.npz, dequantised: `train_reader.py --init-from` takes an .npz), one joint epoch over the
# report training questions (training/data/report_train.jsonl, 1,678 on 2026-12-07) with three times as many MRC
# training questions replayed beside them (`--replay 3`: the reports' language without forgetting the encyclopaedia),
# at v3's second-stage rate. 472 steps, about 45 minutes on 2 cores; a lent GPU takes `cuda`. Exported and scored on
# the held-out test paragraphs and the report dev sets (training/logs/v2b.json). Then refit the ranker and the
# calibration on it and measure everything: bash training/try_reader.sh training/checkpoints/v2b.npz [GWR_INDEX]
# Usage: training/reader_v2b.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu)
source "$(dirname "$0")/reader_steps.sh" "$@"
START=$(reader_v2)  # an assignment, so that `set -e` stops the script if git cannot give it
"$PYTHON" training/train_reader.py --run v2b --reports --replay 3 --init-from "$START" --bf16 \
  --epochs 1 --lr 3e-5 --warmup 0.1 --seed 37 --device "$DEVICE" >> training/logs/v2b.log 2>&1
export_and_score v2b

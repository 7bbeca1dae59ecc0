#!/usr/bin/env bash
# The reader's learning curve (issue 22): the same recipe as the full run (v2-full) on its first 5,000 and 10,000
# questions, one epoch each, so every run takes the same steps per question. Each run resumes from its own
# checkpoint folder (training/checkpoints/curve-N/), so the script can be started again after an interruption.
# Then each reader is exported and scored on the same held-out test paragraphs as the full one:
#     training/checkpoints/curve-N.npz, training/logs/curve-N.json
# Usage: training/learning_curve.sh [PYTHON] [DEVICE]   (defaults: .venv/bin/python, cpu)
source "$(dirname "$0")/reader_steps.sh" "$@"
for questions in 5000 10000; do
  run="curve-$questions"
  "$PYTHON" training/train_reader.py --run "$run" --questions "$questions" --script-mix --bf16 --epochs 1 \
    --lr 6e-5 --warmup 0.06 --seed 13 --device "$DEVICE" >> "training/logs/$run.log" 2>&1
  export_and_score "$run"
done

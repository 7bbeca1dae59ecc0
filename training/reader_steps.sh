# Shared by the reader scripts (training/reader_v2.sh, training/learning_curve.sh), sourced with their arguments
# [PYTHON] [DEVICE] (defaults: .venv/bin/python, cpu): they run from the repository root, and
# `export_and_score RUN` writes training/checkpoints/RUN.npz and its held-out scores to training/logs/RUN.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${1:-.venv/bin/python}
DEVICE=${2:-cpu}
SCORED_QUESTIONS=200  # 每个留出文件打分的题数（READER_CARD 的表用的就是这 200 + 200 题）
mkdir -p training/logs

export_and_score() {
  "$PYTHON" training/train_reader.py --run "$1" --export --output "training/checkpoints/$1.npz"
  "$PYTHON" training/train_reader.py --score "$SCORED_QUESTIONS" --reader "training/checkpoints/$1.npz" > "training/logs/$1.json"
}

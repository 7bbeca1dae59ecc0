# Shared by the reader scripts (training/reader_v2.sh, training/learning_curve.sh), sourced with their arguments
# [PYTHON] [DEVICE] (defaults: .venv/bin/python, cpu): they run from the repository root, and
# `export_and_score RUN` writes training/checkpoints/RUN.npz and its held-out scores to training/logs/RUN.json;
# `reader_v2` writes reader v2 as it was shipped (taken from git) to training/checkpoints/v2.npz and prints that path.
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

V2_COMMIT=65f9892  # the last commit that shipped reader v2 in qa/models/reader-int8.npz
reader_v2() {
  mkdir -p training/checkpoints
  git show "$V2_COMMIT:qa/models/reader-int8.npz" > training/checkpoints/v2.npz
  echo training/checkpoints/v2.npz
}

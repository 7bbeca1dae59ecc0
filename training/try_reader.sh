#!/usr/bin/env bash
# Put a candidate reader in place with its own ranker and calibration, and measure everything (about 1.5 h on 2 cores).
#   bash training/try_reader.sh training/checkpoints/v3-reports.npz [GWR_INDEX]
# 1. fits the figure ranker and the calibration on the candidate's margins (training/train_ranker.py,
#    training/calibrate_reader.py; collected rows cached in training/checkpoints/NAME-*-rows.json*), on the report
#    training questions its stage two left out (--held-out-reports; set HELD_OUT= for a reader trained on all of them),
# 2. copies the three files into qa/models/ (the shipped ones stay in git),
# 3. runs benchmarks/reader_report.sh (held-out MRC scores, every eval set, open-domain MRC, latency).
# Then keep them (git add qa/models) or go back (git checkout qa/models).
set -euo pipefail
cd "$(dirname "$0")/.."
READER=$1
GWR_INDEX=${2:-/tmp/gwr_all/index}
NAME=$(basename "$READER" .npz)
OUT=training/checkpoints
PYTHON=${PYTHON:-.venv/bin/python}
HELD_OUT=${HELD_OUT---held-out-reports}
if [ ! -f "$GWR_INDEX/manifest.json" ]; then
  echo "没有报告索引 $GWR_INDEX：先运行 bash benchmarks/reader_report.sh（它会建好），或给出已有的索引目录" >&2
  exit 1
fi
"$PYTHON" training/train_ranker.py --reader "$READER" --reports-index "$GWR_INDEX" $HELD_OUT \
  --rows "$OUT/$NAME-ranker-rows.jsonl" --output "$OUT/$NAME-ranker.json"
"$PYTHON" training/calibrate_reader.py --reader "$READER" --reports-index "$GWR_INDEX" $HELD_OUT \
  --rows "$OUT/$NAME-calibration-rows.json" --output "$OUT/$NAME-calibration.json"
cp "$READER" qa/models/reader-int8.npz
cp "$OUT/$NAME-ranker.json" qa/models/figure-ranker.json
cp "$OUT/$NAME-calibration.json" qa/models/reader-calibration.json
PATH="$(dirname "$PYTHON"):$PATH" bash benchmarks/reader_report.sh "$GWR_INDEX"

#!/usr/bin/env bash
# Every number of the reading side, after the reader or its calibration changed (about 25 min on 2 cores).
#   bash benchmarks/reader_report.sh [GWR_INDEX]
# GWR_INDEX: an index of ../shared/data/gwr/*.txt + ../shared/seeds/*.txt (built here in /tmp/gwr_all if absent).
# Results: benchmarks/results/*.json and benchmarks/results/reader_report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared
GWR_INDEX=${1:-/tmp/gwr_all/index}
OUT=benchmarks/results
mkdir -p "$OUT"
if [ ! -f "$GWR_INDEX/manifest.json" ] || [ "${GWR_INDEX}" = /tmp/gwr_all/index ]; then
  mkdir -p /tmp/gwr_all/corpus && cp -n $SHARED/data/gwr/*.txt $SHARED/seeds/*.txt /tmp/gwr_all/corpus/ 2>/dev/null || true
  qa index --corpus /tmp/gwr_all/corpus --index /tmp/gwr_all/index > /dev/null
fi
qa index > /dev/null  # the seed corpus: re-chunked when the section rules changed
{
  echo "== gold paragraph given (reader alone), test paragraphs"
  python training/train_reader.py --score 200
  for file in eval/questions.jsonl; do
    echo "== $file"; qa eval "$file" --json --output "$OUT/eval_$(basename "$file" .jsonl).jsonl" | python -c "import json,sys; d=json.load(sys.stdin); print({k: v for k, v in d.items() if not isinstance(v, (dict, list))})"
  done
  for file in eval/gwr_dev.jsonl eval/gwr_dev2.jsonl eval/gwr_test.jsonl eval/report_dev.jsonl eval/paraphrase_dev.jsonl; do
    echo "== $file (seven reports + seeds)"; qa eval "$file" --index "$GWR_INDEX" --json --output "$OUT/eval_$(basename "$file" .jsonl).jsonl" | python -c "import json,sys; d=json.load(sys.stdin); print({k: v for k, v in d.items() if not isinstance(v, (dict, list))})"
  done
  for file in cmrc2018_dev_open DRCD_dev; do
    echo "== $file test paragraphs, open-domain"; python benchmarks/mrc_open.py "$SHARED/data/mrc/$file.json" --json
  done
  echo "== latency"; python benchmarks/bench_ask.py
} 2>/dev/null | tee "$OUT/reader_report.txt"

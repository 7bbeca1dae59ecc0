# The arguments of reader v3's two stages (data and schedule), sourced by training/reader_v3.sh (CPU, resumable) and
# training/reader_on_device.sh (a lent GPU, from packs): both train the same reader. The data arguments are also
# recorded in a pack and checked when it is read (train_reader.py's PACK_DATA_ARGUMENTS).
# Stage one: a second epoch over all MRC training questions at half v2-full's rate.
V3_STAGE_ONE=(--script-mix --seed 31 --epochs 1 --lr 3e-5 --warmup 0.03)
# Stage two as v2b's (one epoch, three times as many MRC questions replayed: the first v3's two epochs without replay
# cost 1.4 CMRC F1), without the report questions kept for the ranker's and the calibration's fits
# (--held-out-reports, qa/lab/report_split.py: fitted on questions the reader has read, they trusted it too much).
V3_STAGE_TWO=(--reports --held-out-reports --replay 3 --seed 29 --epochs 1 --lr 3e-5 --warmup 0.1)

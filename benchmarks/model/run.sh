#!/usr/bin/env bash
# Real-data benchmark of the on-box ticket model on banking77 (see README.md beside this file).
#   benchmarks/model/run.sh [DATA_DIR] [--seeds 1,2,3,4,5] [other `triage model-bench` options]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA_DIR="${1:-../shared/data/banking77}"
[ $# -gt 0 ] && shift
[ -f "$DATA_DIR/train.csv" ] || DATA_DIR=/work/shared/data/banking77
[ -f "$DATA_DIR/train.csv" ] || { echo "banking77 not found (looked in ../shared/data/banking77 and /work/shared/data/banking77)" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

# SWIFT_SCRATCH_PATH=/tmp/build keeps this build apart from another one in .build.
BUILD=(-c release)
[ -n "${SWIFT_SCRATCH_PATH:-}" ] && BUILD+=(--scratch-path "$SWIFT_SCRATCH_PATH")
swift build "${BUILD[@]}" --product triage
BIN="$(swift build "${BUILD[@]}" --show-bin-path)/triage"
OUT="$(mktemp -d)"
MODEL="$OUT/banking77.triage"

echo "== train (timed, peak RSS) =="
/usr/bin/time -v "$BIN" train --data "$DATA_DIR/train.csv" --out "$MODEL" --quiet 2> "$OUT/train.time"
grep -E "Elapsed|Maximum resident" "$OUT/train.time"
echo "model file: $(stat -c %s "$MODEL") bytes"

echo
echo "== eval on test (peak RSS of triage eval) =="
/usr/bin/time -v "$BIN" eval --model "$MODEL" --data "$DATA_DIR/test.csv" --throughput-seconds 3 > "$OUT/eval.txt" 2> "$OUT/eval.time"
sed -n 1,16p "$OUT/eval.txt"
grep -E "Maximum resident" "$OUT/eval.time"
"$BIN" eval --model "$MODEL" --data "$DATA_DIR/test.csv" --throughput-seconds 3 --json > "$OUT/eval.json"
echo "json: $(head -c 400 "$OUT/eval.json")..."

echo
echo "== held-out intents and the full trade-off curve =="
"$BIN" model-bench --data-dir "$DATA_DIR" --skip-full --seeds 1,2,3,4,5 "$@"
rm -rf "$OUT"

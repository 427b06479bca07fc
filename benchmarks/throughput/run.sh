#!/usr/bin/env bash
# End-to-end throughput (issue: the hot path, rebuilt): tickets per second of one `triage work`
# with the banking77 model and policy, audit on, against a passthrough baseline (consume and
# produce, no work) on the same mock cluster (3 brokers, 24 partitions) in the same run.
# Not part of CI; numbers go to docs/PERFORMANCE.md.
#
#   benchmarks/throughput/run.sh [--tickets 200000] [more triage throughput-bench options]
#
# The backlog is the banking77 test texts (../shared/data/banking77/test.csv), repeated up to
# --tickets; the model is trained from banking77's train.csv once and cached in
# ${XDG_CACHE_HOME:-~/.cache}/triage/banking77.model. Without banking77 it says so and stops.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA_DIR="$ROOT/../shared/data/banking77"
[ -f "$DATA_DIR/test.csv" ] || DATA_DIR=/work/shared/data/banking77
if [ ! -f "$DATA_DIR/test.csv" ] || [ ! -f "$DATA_DIR/train.csv" ]; then
  echo "throughput: banking77 not found (looked in ../shared/data/banking77 and /work/shared/data/banking77); skipped" >&2
  exit 0
fi
"$ROOT/scripts/ensure-deps.sh"
BIN=${TRIAGE_BIN:-}
if [[ -z "$BIN" ]]; then
  (cd "$ROOT" && swift build -c release --product triage >&2)
  BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/triage"
fi
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/triage"
MODEL="$CACHE/banking77.model"
mkdir -p "$CACHE"
if [ ! -f "$MODEL" ]; then
  echo "throughput: training the banking77 model once (cached in $MODEL)" >&2
  "$BIN" train --data "$DATA_DIR/train.csv" --out "$MODEL" --quiet >&2
fi
cd "$ROOT"
"$BIN" throughput-bench --data "$DATA_DIR/test.csv" --model "$MODEL" --policy prompts/banking77 \
  --brokers 3 --partitions 24 "$@" 2> >(grep -v '^%' >&2)

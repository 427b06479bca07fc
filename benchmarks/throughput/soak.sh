#!/usr/bin/env bash
# Resident memory of one `triage work` over a long run (issue: the hot path, rebuilt; target
# at most 200 MB and no growth over 10 minutes). A `triage dev-cluster` (3 brokers, 24
# partitions) and one worker (the banking77 model that benchmarks/throughput/run.sh trains and
# caches, unless --model; the banking77 policy unless --policy),
# fed by `triage seed` in rounds of --round tickets, paced to --rate tickets/s, for --minutes.
# Prints the worker's VmRSS every 10 s, then the first and last minute's medians and the peak.
# Not part of CI; numbers go to docs/PERFORMANCE.md.
#
#   benchmarks/throughput/soak.sh [--minutes 10] [--rate 3000] [--round 30000] [--model FILE] [--policy DIR]
#                                 [--worker-arg ARG ...]   (one more `triage work` argument, repeatable)
#
# The mock cluster keeps every record in memory: at --rate 3000 for 10 minutes it grows to a
# few GB (the worker is what is measured). The rate is a pace, not the worker's maximum.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MINUTES=10 RATE=3000 ROUND=30000 MODEL="" POLICY="$ROOT/prompts/banking77"
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --round) ROUND=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --policy) POLICY=$2; shift 2 ;;
    --worker-arg) EXTRA+=("$2"); shift 2 ;;
    --worker-arg=*) EXTRA+=("${1#--worker-arg=}"); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "soak: unknown option '$1' (see --help)" >&2; exit 64 ;;
  esac
done
[[ "$MINUTES" =~ ^[0-9]+$ && "$RATE" =~ ^[0-9]+$ && "$ROUND" =~ ^[0-9]+$ && "$RATE" -gt 0 && "$ROUND" -gt 0 ]] \
  || { echo "soak: --minutes, --rate and --round must be positive whole numbers" >&2; exit 64; }
if [[ -z "$MODEL" ]]; then
  MODEL="${XDG_CACHE_HOME:-$HOME/.cache}/triage/banking77.model"
  [[ -f "$MODEL" ]] || { echo "soak: no model at $MODEL; run benchmarks/throughput/run.sh once (it trains it) or pass --model" >&2; exit 66; }
fi
"$ROOT/scripts/ensure-deps.sh"
BIN=${TRIAGE_BIN:-}
if [[ -z "$BIN" ]]; then
  (cd "$ROOT" && swift build -c release --product triage >&2)
  BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/triage"
fi
WORK=$(mktemp -d)
CLUSTER_PID="" WORKER_PID=""
cleanup() {
  [[ -n "$WORKER_PID" ]] && kill -TERM "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null || true
  [[ -n "$CLUSTER_PID" ]] && kill -TERM "$CLUSTER_PID" 2>/dev/null && wait "$CLUSTER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"
"$BIN" dev-cluster --partitions 24 --policy "$POLICY" --bootstrap-file "$WORK/bootstrap" > "$WORK/cluster.log" 2>&1 &
CLUSTER_PID=$!
for _ in $(seq 1 300); do [[ -s "$WORK/bootstrap" ]] && break; sleep 0.1; done
[[ -s "$WORK/bootstrap" ]] || { echo "soak: the dev cluster did not start:" >&2; tail -20 "$WORK/cluster.log" >&2; exit 1; }
WORKER_ARGS=(work --dev --bootstrap "@$WORK/bootstrap" --policy "$POLICY" --model "$MODEL" --progress-interval 10 ${EXTRA[@]+"${EXTRA[@]}"})
"$BIN" "${WORKER_ARGS[@]}" > "$WORK/worker.log" 2>&1 &
WORKER_PID=$!
echo "soak: worker pid $WORKER_PID, ${MINUTES} min at ${RATE} tickets/s in rounds of ${ROUND}" >&2
START=$(date +%s)
END=$((START + MINUTES * 60))
NEXT_SAMPLE=$START
ROUND_SECONDS=$(( (ROUND + RATE - 1) / RATE ))
NEXT_ROUND=$START
SEED=1
SAMPLES="$WORK/rss"
: > "$SAMPLES"
while (( $(date +%s) < END )); do
  NOW=$(date +%s)
  kill -0 "$WORKER_PID" 2>/dev/null || { echo "soak: the worker exited:" >&2; tail -20 "$WORK/worker.log" >&2; exit 1; }
  if (( NOW >= NEXT_ROUND )); then
    "$BIN" seed --bootstrap "@$WORK/bootstrap" --count "$ROUND" --seed "$SEED" --malformed-rate 0.01 > /dev/null 2>> "$WORK/seed.log" &
    SEED=$((SEED + 1))
    NEXT_ROUND=$((NEXT_ROUND + ROUND_SECONDS))
  fi
  if (( NOW >= NEXT_SAMPLE )); then
    RSS=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WORKER_PID/status")
    DONE=$(grep -o 'progress: [0-9]*' "$WORK/worker.log" | tail -1 | grep -o '[0-9]*' || echo 0)
    echo "$((NOW - START)) $RSS $DONE" >> "$SAMPLES"
    printf 'soak: %4d s  rss %6.1f MB  %s tickets done\n' "$((NOW - START))" "$(echo "$RSS / 1024" | bc -l)" "${DONE:-0}" >&2
    NEXT_SAMPLE=$((NEXT_SAMPLE + 10))
  fi
  sleep 1
done
wait $(jobs -p | grep -v -e "^$WORKER_PID\$" -e "^$CLUSTER_PID\$") 2>/dev/null || true
python3 - "$SAMPLES" <<'PY'
import statistics, sys
rows = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if line.strip()]
if not rows:
    sys.exit("soak: no samples")
end = rows[-1][0]
# From the first sample with tickets done: start-up (model load, assignment) is not growth.
begin = next((r[0] for r in rows if r[2] > 0), rows[0][0])
first = [r[1] for r in rows if begin <= r[0] <= begin + 60]
last = [r[1] for r in rows if r[0] >= end - 60]
peak = max(r[1] for r in rows)
print(f"soak: {len(rows)} samples over {end} s; worker RSS median first minute {statistics.median(first)/1024:.1f} MB, "
      f"last minute {statistics.median(last)/1024:.1f} MB, peak {peak/1024:.1f} MB; {rows[-1][2]} tickets done")
PY

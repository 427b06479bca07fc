#!/usr/bin/env bash
# Where each microsecond of a ticket goes in one `triage work`, end to end (issue: the hot path,
# rebuilt): the banking77 throughput measurement of run.sh (--no-passthrough) under
# `perf record -e cpu-clock` (this VM has no hardware counters), then profile.py: the pipeline
# thread's CPU time per ticket, split by the step whose code is on each sample's stack.
# Not part of CI; numbers go to docs/PERFORMANCE.md.
#
#   benchmarks/throughput/profile.sh [--tickets 100000] [--frequency 499] [more throughput-bench options]
#
# librdkafka and libc have no frame pointers, so a sample inside malloc/free or librdkafka
# loses its caller: those are shown apart, as "caller lost".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TICKETS=100000 FREQUENCY=499
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tickets) TICKETS="$2"; shift 2 ;;
    --frequency) FREQUENCY="$2"; shift 2 ;;
    -h|--help) sed -n 2,11p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
command -v perf >/dev/null || { echo "profile: perf is not installed (Debian: linux-perf)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
perf record -q -o "$WORK/perf.data" -e cpu-clock -F "$FREQUENCY" -g -- \
  "$ROOT/benchmarks/throughput/run.sh" --no-passthrough --json --tickets "$TICKETS" "${ARGS[@]}" >"$WORK/result.json"
cat "$WORK/result.json"
DONE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tickets"])' "$WORK/result.json")
perf script -i "$WORK/perf.data" -F tid,ip,sym,dso 2>/dev/null >"$WORK/perf.txt"
python3 "$ROOT/benchmarks/throughput/profile.py" --frequency "$FREQUENCY" --tickets "$DONE" "$WORK/perf.txt"

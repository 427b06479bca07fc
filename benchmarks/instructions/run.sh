#!/usr/bin/env bash
# Instructions per ticket for each pipeline step (issue: the hot path, rebuilt), counted by
# valgrind's callgrind, which repeats to a few parts in a thousand where timings on this shared
# machine scatter by tens of percent. Not part of CI; numbers go to docs/PERFORMANCE.md.
#
#   benchmarks/instructions/run.sh [--tickets 4000] [--top 25] [--keep DIR] [pipeline-bench options]
#
# Runs `triage pipeline-bench` (the worker's own step code over sample tickets, no Kafka) under
# callgrind and divides each step's inclusive count by the tickets: decode, classify, decide,
# route, audit and outbox, the steps pipeline-bench times (their entry points are
# @inline(never) so the profile can find them). Then the functions that cost most inside them.
#
# Two things valgrind 3.19 needs here, both done by this script:
# - debug info stripped (it cannot read the DWARF 5 that Swift 6.3 writes); the symbol table
#   stays, so functions keep their names;
# - a preloaded sigsuspend that hands libdispatch's constant signal mask on as a copy
#   (SigsuspendShim.swift): valgrind writes into that mask and faulted.
# valgrind hides the CPU's SHA extensions, so libcrypto's SHA-256 runs its plain code under it:
# the audit step's hashing counts several times what it costs outside; it is shown apart.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benchmarks/instructions"
TICKETS=4000 TOP=25 KEEP=""
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tickets) TICKETS="$2"; shift 2 ;;
    --top) TOP="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    -h|--help) sed -n 2,19p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
command -v valgrind >/dev/null || {
  echo "instructions: installing valgrind" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind >&2
}
"$ROOT/scripts/ensure-deps.sh"
BIN=${TRIAGE_BIN:-}
if [[ -z "$BIN" ]]; then
  (cd "$ROOT" && swift build -c release --product triage >&2)
  BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/triage"
fi
WORK=${KEEP:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -n "$KEEP" ]] || trap 'rm -rf "$WORK"' EXIT
objcopy --strip-debug "$BIN" "$WORK/triage"
swiftc -O -emit-library -o "$WORK/libsigsuspend.so" "$HERE/SigsuspendShim.swift"
# The demo model is trained and cached by a first run outside valgrind.
(cd "$ROOT" && "$WORK/triage" pipeline-bench --tickets 100 "${ARGS[@]}" >/dev/null)
echo "instructions: callgrind over $TICKETS tickets (a minute or two)" >&2
# Counted only inside the steps (so the sample tickets' making is left out): TicketSteps.handle
# (decode to audit) and the benchmark's outbox step, mangled as valgrind sees them. Each step's
# share is then its entry point's inclusive count (steps.py).
STEPS=(
  '$s12TriageWorker11TicketStepsV6handle*'
  '$s12TriageWorker17PipelineBenchmarkV8handOver*'
  '$s12TriageWorker17PipelineBenchmarkV10closeBatch*'
)
TOGGLES=()
for pattern in "${STEPS[@]}"; do TOGGLES+=("--toggle-collect=$pattern"); done
(cd "$ROOT" && LD_PRELOAD="$WORK/libsigsuspend.so" valgrind --tool=callgrind "${TOGGLES[@]}" --callgrind-out-file="$WORK/callgrind.out" \
  "$WORK/triage" pipeline-bench --tickets "$TICKETS" "${ARGS[@]}" >"$WORK/bench.txt" 2>"$WORK/valgrind.log") \
  || { cat "$WORK/valgrind.log" >&2; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$WORK/callgrind.out" >"$WORK/inclusive.txt"
callgrind_annotate --threshold=100 "$WORK/callgrind.out" >"$WORK/exclusive.txt"
python3 "$HERE/steps.py" --tickets "$TICKETS" --top "$TOP" "$WORK/inclusive.txt" "$WORK/exclusive.txt"
[[ -z "$KEEP" ]] || echo "instructions: profile kept in $WORK (callgrind_annotate $WORK/callgrind.out)" >&2

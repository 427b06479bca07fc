#!/usr/bin/env bash
# The fleet fault suite over and over, for its flake rate: each run is
# `swift test --filter FaultSuiteTests` (real `triage work` processes on `triage dev-cluster`);
# every case prints a `fault-suite:` line (lost, duplicates, crashes, seconds).
#
# Usage: scripts/fault-suite.sh [--runs N] [--full] [--exactly-once] [--out DIR]
#   --runs N   runs in a row (default 20)
#   --full     the long form (three SIGKILLs, a 20 s cluster stall): TRIAGE_FAULT_SUITE=full
#   --exactly-once  the exactly-once suite instead (ExactlyOnceFaultSuiteTests: every worker
#              with --exactly-once)
#   --out DIR  keep each run's log there (default: a temporary folder)
# Prints, per case, how many runs passed, and exits 1 if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=20; full=0; out=""; suite=FaultSuiteTests
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --full) full=1; shift ;;
    --exactly-once) suite=ExactlyOnceFaultSuiteTests; shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fault-suite: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 1 ]] || { echo "fault-suite: --runs must be a positive number, not '$runs'" >&2; exit 2; }
out=${out:-$(mktemp -d -t triage-fault-suite.XXXXXX)}
mkdir -p "$out"
scripts/ensure-deps.sh
swift build --build-tests >&2 || exit 1
[ "$full" = 1 ] && export TRIAGE_FAULT_SUITE=full
failed=0
for i in $(seq 1 "$runs"); do
  log="$out/run-$i.log"
  if swift test --skip-build --filter "^TriageWorkerTests\.$suite" >"$log" 2>&1; then result=passed; else result=FAILED; failed=$((failed + 1)); fi
  echo "run $i/$runs: $result ($(grep -c '^fault-suite: case=' "$log") case lines)"
  grep '^fault-suite:' "$log" | sed 's/^/  /'
done
echo
echo "per case, runs passed (logs in $out):"
grep -h -E '^✔ Test|^✘ Test .* failed after' "$out"/run-*.log | sed -E 's/ (passed|failed) after.*//' | sort | uniq -c | sed 's/^/  /'
echo "fault-suite: $((runs - failed)) of $runs runs passed"
[ "$failed" = 0 ]

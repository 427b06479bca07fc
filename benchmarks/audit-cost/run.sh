#!/usr/bin/env bash
# Audit cost benchmark: worker throughput with and without the audit record (issue target:
# the audit trail costs at most 10% of worker throughput). Not part of CI.
#
#   benchmarks/audit-cost/run.sh [--runs 5] [--tickets 20000]
#
# The mock cluster runs as its own process pinned to one core (taskset -c 1) and the
# benchmark (one worker) to the other (taskset -c 0), so the worker's numbers are not mixed
# with the brokers' work. `triage audit-cost-bench` prints, for runs alternating with and
# without the audit record: wall-clock tickets/s, tickets per CPU-second of the worker's
# pipeline thread, and tickets per CPU-second of the whole worker process (pipeline +
# librdkafka threads). See docs/AUDIT-SCHEMA.md ("Cost").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TRIAGE_BIN:-}
if [[ -z "$BIN" ]]; then
  (cd "$ROOT" && swift build -c release --product triage >&2)
  BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/triage"
fi
WORK=$(mktemp -d)
trap 'kill $CLUSTER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
taskset -c 1 "$BIN" dev-cluster --brokers 1 --partitions 4 --bootstrap-file "$WORK/bootstrap" >"$WORK/cluster.log" 2>&1 &
CLUSTER=$!
for _ in $(seq 100); do [[ -s "$WORK/bootstrap" ]] && break; sleep 0.1; done
[[ -s "$WORK/bootstrap" ]] || { echo "dev-cluster did not start" >&2; cat "$WORK/cluster.log" >&2; exit 1; }
taskset -c 0 "$BIN" audit-cost-bench --bootstrap "@$WORK/bootstrap" "$@" 2> >(grep -v '^%' >&2)

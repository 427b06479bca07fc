#!/usr/bin/env bash
# Audit cost benchmark: worker throughput with and without the audit record (issue target:
# the audit trail costs at most 10% of worker throughput). Not part of CI.
#
#   benchmarks/audit-cost/run.sh [--runs 3] [--pairs 6] [--slice-tickets 2000] [--json]
#
# The mock cluster runs as its own process pinned to one core (taskset -c 1) and the
# benchmark (one worker) to the other (taskset -c 0), so the worker's numbers are not mixed
# with the brokers' work. Each run seeds a fresh tickets topic, then one worker works through
# it switching the audit record on and off every --slice-tickets tickets (each slice's writes
# acknowledged before the next starts); `triage audit-cost-bench` compares the slices: tickets
# per CPU-second of the pipeline thread, of the whole worker process, and per wall-clock
# second, with the cost of each adjacent pair. See docs/AUDIT-SCHEMA.md ("Cost").
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

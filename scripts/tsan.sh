#!/usr/bin/env bash
# Runs the test suite under ThreadSanitizer. Slow (a separate build); not part of CI.
# Extra arguments go to `swift test` (e.g. --filter KafkaTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scratch=.build-tsan
swift build --build-tests --sanitize=thread --scratch-path "$scratch"
cc -shared -fPIC -O1 -o "$scratch/c11_threads_shim.so" scripts/tsan/c11_threads_shim.c -lpthread
LD_PRELOAD="$PWD/$scratch/c11_threads_shim.so" TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0}" \
  swift test --skip-build --sanitize=thread --scratch-path "$scratch" "$@"

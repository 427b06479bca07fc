#!/usr/bin/env bash
# Fuzzes the ticket decoder with libFuzzer + AddressSanitizer. Not part of CI.
# Usage: scripts/fuzz-decode.sh [SECONDS] (default 120). Crashes are written to .build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
out=.build-fuzz
mkdir -p "$out/corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name DecodeFuzz \
  -I Sources/CJSONC $(pkg-config --cflags-only-I json-c | sed 's/-I/-Xcc -I/g') \
  $(find Sources/TriageCore -name '*.swift') fuzz/decode_ticket.swift $(pkg-config --libs json-c) \
  -o "$out/decode-fuzz"
printf '%s' '{"id":"a","customer_id":"c","body":"hello","attributes":{"region":"north"},"x":[1,2.5e3,null]}' > "$out/corpus/seed0"
cd "$out"
SWIFT_BACKTRACE=enable=no ./decode-fuzz -max_total_time="${1:-120}" -max_len=4096 -print_final_stats=1 corpus

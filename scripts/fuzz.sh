#!/usr/bin/env bash
# libFuzzer + AddressSanitizer over the ticket decoder and the policy's text rules.
# Usage: scripts/fuzz.sh [decode_ticket|policy_text|all] [SECONDS]   (default: all 60)
# SECONDS is the whole run; `all` gives each target an equal share. Each target starts from
# its seed corpus (fuzz/corpus/<target>/, read-only) and replays fuzz/regressions/<target>/;
# what it learns goes to .build-fuzz/corpus/<target>/, crashes to .build-fuzz/crashes/<target>/.
# Exit status: non-zero when a target crashes or breaks an invariant. Extra libFuzzer flags
# (e.g. -fork=2) in TRIAGE_FUZZ_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
target=${1:-all}
seconds=${2:-60}
case "$target" in
  all) targets=(decode_ticket policy_text) ;;
  decode_ticket|policy_text) targets=("$target") ;;
  *) echo "fuzz: unknown target '$target' (decode_ticket, policy_text or all)" >&2; exit 2 ;;
esac

# TriageCore, Yams and TriagePolicy instrumented for libFuzzer (coverage) and ASan, then one
# executable per harness linked against their objects.
out=.build-fuzz
release=$out/release
swift build -c release --scratch-path "$out" --target TriagePolicy \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing 2>&1 | grep -E "error|warning: unre" >&2 || true
mkdir -p "$out/bin"
for t in "${targets[@]}"; do
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$t" \
    -I "$release/Modules" -I Sources/CJSONC $(pkg-config --cflags-only-I json-c | sed 's/-I/-Xcc -I/g') \
    -Xcc -fmodule-map-file="$out/checkouts/Yams/Sources/CYaml/include/module.modulemap" \
    "fuzz/$t.swift" "$release"/TriageCore.build/*.o "$release"/TriagePolicy.build/*.o \
    "$release"/Yams.build/*.o "$release"/CYaml.build/src/*.o $(pkg-config --libs json-c) \
    -o "$out/bin/$t" 2>&1 | grep -v "ld.gold: warning: Cannot export local symbol" >&2 || true
  [ -x "$out/bin/$t" ] || { echo "fuzz: building $t failed" >&2; exit 1; }
done

share=$(( seconds / ${#targets[@]} ))
status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t" "fuzz/regressions/$t"
  log="$out/$t.log"
  max_len=4096; [ "$t" = policy_text ] && max_len=1024  # the text rules look at words and clauses
  echo "fuzz: $t for ${share}s" >&2
  if SWIFT_BACKTRACE=enable=no "$out/bin/$t" -max_total_time="$share" -max_len=$max_len -timeout=10 \
       -print_final_stats=1 -artifact_prefix="$out/crashes/$t/" ${TRIAGE_FUZZ_FLAGS:-} \
       "$out/corpus/$t" "fuzz/corpus/$t" "fuzz/regressions/$t" > "$log" 2>&1; then
    echo "fuzz: $t: $(grep -h '^stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}') executions, no crash"
  else
    status=1
    grep -E "==ERROR|Fatal error|precondition|Test unit written|SUMMARY" "$log" | head -20 >&2
    echo "fuzz: $t: CRASH (inputs in $out/crashes/$t/, log $log)"
  fi
done
exit $status

#!/usr/bin/env bash
# Escape-hatch benchmark on Bitext customer support (see README.md beside this file).
#   benchmarks/escape-hatch/run.sh [--errors]
# Prints recall on contact_human_agent and false-positive rate on the other intents
# (contact_customer_service excluded), overall and per tag letter, on the development and
# held-out halves, then the median ns per call.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${TRIAGE_SHARED_DATA:-$ROOT/../shared/data}"
[ -f "$DATA/bitext/customer_support.csv" ] || DATA=/work/shared/data
[ -f "$DATA/bitext/customer_support.csv" ] || { echo "bitext not found (looked in ../shared/data and /work/shared/data)" >&2; exit 1; }
export TRIAGE_SHARED_DATA="$DATA"
export TRIAGE_POLICY_DIR="$ROOT/prompts/demo"   # the scratch package has no prompts/ beside its sources
[ "${1:-}" = "--errors" ] && export TRIAGE_BENCH_ERRORS=1

# A scratch package holding only what the detector needs, so a release build takes seconds
# and does not touch the repository's .build (the sources are symlinked, not copied).
SCRATCH="${SCRATCH:-/tmp/triage-escape-hatch-bench}"
mkdir -p "$SCRATCH/Sources" "$SCRATCH/Tests"
for target in CJSONC TriageCore TriagePolicy; do ln -sfn "$ROOT/Sources/$target" "$SCRATCH/Sources/$target"; done
ln -sfn "$ROOT/Tests/TriagePolicyTests" "$SCRATCH/Tests/TriagePolicyTests"
cat > "$SCRATCH/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "escape-hatch-bench",
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CJSONC", pkgConfig: "json-c", providers: [.apt(["libjson-c-dev"])]),
        .target(name: "TriageCore", dependencies: ["CJSONC"]),
        .target(name: "TriagePolicy", dependencies: ["TriageCore", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "TriagePolicyTests", dependencies: ["TriagePolicy", "TriageCore",
                                                              .product(name: "PropertyBased", package: "swift-property-based")]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
cd "$SCRATCH"
# -enable-testing: the test target uses @testable imports, which a release build refuses otherwise.
swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null
TRIAGE_BENCH=1 swift test -c release --skip-build --filter EscapeHatchBenchmark 2>&1 \
  | grep -v -E '^(◇|↳|✔|\[|Test Suite)|Executed [0-9]+ tests' || true

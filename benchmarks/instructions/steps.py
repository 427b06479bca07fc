#!/usr/bin/env python3
"""Instructions per ticket for each pipeline step, from callgrind_annotate's inclusive and
exclusive listings of a pipeline-bench run (benchmarks/instructions/run.sh)."""
import argparse
import re
import subprocess
import sys

# Step name -> the mangled entry point(s) whose inclusive counts make it up.
STEPS = [
    ("decode", [r"^\$s12TriageWorker6DecodeV14callAsFunction"]),
    ("classify", [r"^\$s12TriageWorker\w*ClassifierVAA\w*P8classify\w*TW$"]),
    ("decide", [r"^\$s12TriageWorker6DecideV14callAsFunction"]),
    ("route", [r"^\$s12TriageWorker4EmitV6writes6ticket"]),
    ("audit", [r"^\$s12TriageWorker4EmitV5audit6ticket"]),
    ("outbox", [r"^\$s12TriageWorker17PipelineBenchmarkV8handOver", r"^\$s12TriageWorker17PipelineBenchmarkV10closeBatch"]),
]
LINE = re.compile(r"^\s*([\d,]+) (?:\([^)]*\))?\s+(.*?):(\S+)(?: \[(.*)\])?\s*$")


def rows(path):
    """(count, symbol, object) for each function line of a callgrind_annotate listing."""
    out = []
    started = False
    for line in open(path, encoding="utf-8", errors="replace"):
        if "file:function" in line:
            started = True
            continue
        if not started:
            continue
        m = LINE.match(line)
        if m:
            out.append((int(m.group(1).replace(",", "")), m.group(3), m.group(4) or ""))
    return out


def program_total(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        if "PROGRAM TOTALS" in line:
            return int(line.split()[0].replace(",", ""))
    return 0


def demangle(names):
    try:
        result = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names),
                                capture_output=True, text=True, check=True)
        return result.stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return names


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("inclusive")
    parser.add_argument("exclusive")
    args = parser.parse_args()
    inclusive = rows(args.inclusive)
    exclusive = rows(args.exclusive)
    n = args.tickets
    total = 0
    print(f"instructions per ticket ({n} sample tickets, callgrind):")
    for step, patterns in STEPS:
        count = 0
        for pattern in patterns:
            regex = re.compile(pattern)
            matches = [c for c, sym, _ in inclusive if regex.search(sym)]
            # Recursive cycles show a function again with a "'2" suffix; the first is the whole.
            count += matches[0] if matches else 0
        if count == 0:
            print(f"  {step:9s} not found in the profile (inlined or renamed?)", file=sys.stderr)
        total += count
        print(f"  {step:9s} {count / n:10,.0f}")
    print(f"  {'steps':9s} {total / n:10,.0f}")
    collected = program_total(args.inclusive)
    if collected:
        print(f"  {'all':9s} {collected / n:10,.0f}  (the steps and the code between them)")
    sha = sum(c for c, sym, obj in exclusive if "libcrypto" in obj)
    print(f"  of which libcrypto (SHA-256, without the CPU's SHA instructions under valgrind): {sha / n:,.0f}")
    print(f"\nthe {args.top} functions that cost most inside the steps (own instructions per ticket):")
    top = exclusive[: args.top]
    for (count, _, obj), name in zip(top, demangle([sym for _, sym, _ in top])):
        library = obj.rsplit("/", 1)[-1]
        print(f"  {count / n:8,.0f}  {name[:110]}  [{library}]")


if __name__ == "__main__":
    main()

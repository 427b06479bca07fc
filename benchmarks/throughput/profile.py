#!/usr/bin/env python3
"""Where the worker's pipeline thread spends each microsecond of a ticket, end to end: reads
`perf script -F tid,ip,sym,dso` of a throughput-bench run (benchmarks/throughput/profile.sh),
takes the busiest thread (the pipeline thread: it is busy the whole time the worker works),
and puts each sample in the step whose code is on its stack, nearest the leaf first."""
import argparse
import collections
import re
import subprocess
import sys

# (category, pattern on a mangled Swift symbol); the first frame from the leaf that matches decides.
STEPS = [
    ("decode", r"12TriageWorker6DecodeV14callAsFunction"),
    ("classify", r"12TriageWorker\w*ClassifierV\w*8classify"),
    ("decide", r"12TriageWorker6DecideV14callAsFunction"),
    ("route (routed ticket, reply, actions)", r"12TriageWorker4EmitV6writes"),
    ("audit record", r"12TriageWorker4EmitV5audit"),
    ("dead letter", r"DeadLetter"),
    ("produce (hand a write to librdkafka)", r"5Kafka0A8ProducerC(4send|7enqueue|11topicHandle)"),
    ("delivery reports (librdkafka's callback, the outbox, the tracker)", r"5Kafka0A8ProducerC(4poll|\d+takeDeliveryReports|13configuration)|12TriageWorker8PipelineC11acknowledge"),
    ("outbox (add, batch records, actions)", r"12TriageWorker6OutboxV|12TriageWorker8PipelineC7perform|12TriageWorker8PipelineC17writeBatchRecords|12TriageWorker13OffsetTrackerV"),
    ("consume (poll and copy records)", r"5Kafka0A8ConsumerC4(poll|copy)"),
    ("commit and offsets", r"5Kafka0A8ConsumerC\d+(store|commit)|12TriageWorker8PipelineC\w*[cC]ommit"),
    ("metrics and stats", r"PipelineMetrics|WorkerStats|Metrics|Prometheus"),
    ("the rest of the pipeline loop", r"12TriageWorker8PipelineC"),
]
LINE = re.compile(r"^\s+([0-9a-f]+) (.*) \((.*)\)$")


def read(path):
    samples, current = [], None
    for line in open(path, encoding="utf-8", errors="replace"):
        if not line.strip():
            if current:
                samples.append(current)
            current = None
            continue
        if re.match(r"^\s*\d+\s*$", line):
            current = (int(line.strip()), [])
            continue
        m = LINE.match(line)
        if m and current is not None:
            current[1].append((m.group(2), m.group(3).rsplit("/", 1)[-1]))
    if current:
        samples.append(current)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frequency", type=float, required=True, help="perf's sampling frequency (Hz)")
    parser.add_argument("--tickets", type=int, required=True, help="tickets the worker did")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("script")
    args = parser.parse_args()
    samples = read(args.script)
    threads = collections.Counter(tid for tid, _ in samples)
    if not threads:
        sys.exit("profile: no samples")
    tid, count = threads.most_common(1)[0]
    ours = [frames for t, frames in samples if t == tid]
    per_sample_us = 1e6 / args.frequency / args.tickets
    steps = collections.Counter()
    leaves = collections.Counter()
    for frames in ours:
        category = None
        for symbol, _ in frames:
            for name, pattern in STEPS:
                if re.search(pattern, symbol):
                    category = name
                    break
            if category:
                break
        if category is None:
            dso = frames[0][1] if frames else "?"
            category = "outside the steps, caller lost: " + ("malloc/free" if frames and re.search(r"malloc|free|unlink_chunk|consolidate|tcache", frames[0][0]) else dso)
        steps[category] += 1
        if frames:
            leaves[frames[0][0]] += 1
    busy = len(ours) * per_sample_us
    print(f"pipeline thread: {len(ours)} samples at {args.frequency:.0f} Hz = {busy:.2f} µs of CPU per ticket "
          f"({1e6 / busy:,.0f} tickets per CPU-second) over {args.tickets:,} tickets")
    for name, n in steps.most_common():
        print(f"  {n * per_sample_us:6.2f} µs  {100 * n / len(ours):5.1f}%  {name}")
    names = [name for name, _ in leaves.most_common(args.top)]
    try:
        names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True).stdout.splitlines()
    except OSError:
        pass
    print(f"\nthe {args.top} leaf functions with most samples:")
    for (_, n), name in zip(leaves.most_common(args.top), names):
        print(f"  {n * per_sample_us:6.2f} µs  {100 * n / len(ours):5.1f}%  {name[:110]}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Seeded-disparity benchmark of `triage audit monitor` / `triage audit report` on the bitext
# customer-support data (not part of CI). See README.md beside this script.
#
#   benchmarks/fairness/run.sh            # everything, ~5–10 min on 2 cores
#   CONTROL_RUNS=5 benchmarks/fairness/run.sh
#
# Environment: DATA (the bitext CSV), OUT (output directory), CONTROL_RUNS (20), SEED (split seed, 42),
# SKIP_BUILD=1 (use the existing release binary), TRIAGE_BIN=PATH (use this binary, no build),
# MIN_CONFIDENCE=0.9 (a stricter copy of prompts/bitext), SEED_LEXICON="ur wanna ya dont" (a copy
# whose anger lexicon also holds these informal words: seeds a real handoff disparity), TRAIN_STYLE=standard (seed a model-side disparity:
# train only on the training half's rows of that style; the replay half is unchanged).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${DATA:-$ROOT/../shared/data/bitext/customer_support.csv}
OUT=${OUT:-$ROOT/benchmarks/fairness/out}
CONTROL_RUNS=${CONTROL_RUNS:-20}
SEED=${SEED:-42}
ATTRIBUTE=style
DERIVE="style=tags~QZ:informal:standard"

[[ -f "$DATA" ]] || { echo "run.sh: data file '$DATA' not found (set DATA)" >&2; exit 2; }
mkdir -p "$OUT"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# 1. Release build
if [[ -n "${TRIAGE_BIN:-}" ]]; then SKIP_BUILD=1; fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building release (swift build -c release --product triage)"
  (cd "$ROOT" && nice -n 5 swift build -c release --product triage 2>&1 | tail -1)
fi
TRIAGE=${TRIAGE_BIN:-$(cd "$ROOT" && swift build -c release --show-bin-path)/triage}
[[ -x "$TRIAGE" ]] || { echo "run.sh: no binary at $TRIAGE" >&2; exit 2; }

# 2. Deterministic split into a training half and a replay half (quoted CSV: python's csv module)
log "splitting $DATA (seed $SEED) into train / replay halves"
python3 - "$DATA" "$OUT" "$SEED" "${TRAIN_STYLE:-}" <<'PY'
import csv, random, sys
data, out, seed, train_style = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(data, newline='', encoding='utf-8') as f:
    reader = csv.DictReader(f)
    fields, rows = reader.fieldnames, list(reader)
random.Random(seed).shuffle(rows)
half = len(rows) // 2
style = lambda r: "informal" if any(c in r["tags"] for c in "QZ") else "standard"
train = [r for r in rows[:half] if not train_style or style(r) == train_style]
for name, part in (("train.csv", train), ("replay.csv", rows[half:])):
    with open(f"{out}/{name}", "w", newline='', encoding='utf-8') as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(part)
informal = sum(1 for r in rows[half:] if any(c in r["tags"] for c in "QZ"))
print(f"train {len(train)} rows{' (only ' + train_style + ')' if train_style else ''}, replay {len(rows) - half} rows ({informal} informal by tags Q/Z)", file=sys.stderr)
PY
REPLAY_ROWS=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'))))" "$OUT/replay.csv")

# 3. Train the bitext model on the training half
log "training the model on the training half"
nice -n 5 "$TRIAGE" train --data "$OUT/train.csv" --text-column instruction --label-column intent --out "$OUT/model.triage" --quiet

# 4. Dev cluster and worker in the background
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
BOOT="$OUT/dev.bootstrap"
rm -f "$BOOT"
"$TRIAGE" dev-cluster --bootstrap-file "$BOOT" --brokers 1 --partitions 4 >"$OUT/dev-cluster.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [[ -s "$BOOT" ]] && break; sleep 0.1; done
[[ -s "$BOOT" ]] || { echo "run.sh: dev-cluster did not start (see $OUT/dev-cluster.log)" >&2; exit 1; }
log "dev-cluster at $(cat "$BOOT")"

# The bitext policy (27 intents in 11 queues, prompts/bitext) with the bitext model. With
# MIN_CONFIDENCE=x, a copy whose floor for a confident decision is x: a stricter policy hands
# the texts the model is less sure of (typos, colloquial style) to people more often, which
# seeds a real disparity for the monitor to find.
POLICY_DIR="$ROOT/prompts/bitext"
if [[ -n "${MIN_CONFIDENCE:-}" || -n "${SEED_LEXICON:-}" ]]; then
  rm -rf "$OUT/policy"; cp -r "$ROOT/prompts/bitext" "$OUT/policy"
  POLICY_DIR="$OUT/policy"
fi
if [[ -n "${SEED_LEXICON:-}" ]]; then
  # A biased lexicon, on purpose: informal words ("ur", "wanna") added to distress_anger, the
  # kind of mistake a reviewer could ship. The policy then really hands informal texts off more.
  python3 - "$OUT/policy/lexicons.yaml" "$SEED_LEXICON" <<'PY'
import sys
path, words = sys.argv[1], sys.argv[2].split()
text = open(path, encoding="utf-8").read()
marker = "distress_anger:\n  description: "
head, tail = text.split(marker, 1)
en = tail.index("    en: [") + len("    en: [")
tail = tail[:en] + "".join(f'"{w}", ' for w in words) + tail[en:]
open(path, "w", encoding="utf-8").write(head + marker + tail)
PY
  "$TRIAGE" check-config "$POLICY_DIR" >&2
fi
if [[ -n "${MIN_CONFIDENCE:-}" ]]; then
  sed -i "s/^  min_confidence: .*/  min_confidence: $MIN_CONFIDENCE/" "$OUT/policy/policy.yaml"
  # the automated path needs at least the same confidence
  awk -v m="$MIN_CONFIDENCE" '/^    min_confidence:/ { if ($2 + 0 < m + 0) $0 = "    min_confidence: " m } { print }' \
    "$OUT/policy/policy.yaml" >"$OUT/policy/policy.tmp" && mv "$OUT/policy/policy.tmp" "$OUT/policy/policy.yaml"
  "$TRIAGE" check-config "$POLICY_DIR" >&2
fi
"$TRIAGE" work --dev --bootstrap @"$BOOT" --model "$OUT/model.triage" --policy "$POLICY_DIR" --worker-id bench-1 >"$OUT/work.log" 2>&1 &
PIDS+=($!)

# 5. Replay the other half with the derived cohort
log "replaying $REPLAY_ROWS tickets with --derive $DERIVE"
"$TRIAGE" replay --bootstrap @"$BOOT" --data "$OUT/replay.csv" --text-column instruction --derive "$DERIVE" \
  --run-id bench >"$OUT/replay.log" 2>&1

# 6. Wait until every ticket is audited
log "waiting for the worker to audit every ticket"
for i in $(seq 240); do
  SUMMARY=$("$TRIAGE" reconcile --bootstrap @"$BOOT" --json 2>/dev/null || true)
  AUDITED=$(python3 -c "import json,sys; print(json.loads(sys.argv[1] or '{}').get('audit_unique', 0))" "$SUMMARY")
  [[ "$AUDITED" -ge "$REPLAY_ROWS" ]] && break
  (( i % 5 == 0 )) && log "  audited $AUDITED / $REPLAY_ROWS"
  sleep 1
done
log "audited $AUDITED / $REPLAY_ROWS"

# 7. The real cohort: report and monitor
log "triage audit report --attribute $ATTRIBUTE"
"$TRIAGE" audit report --bootstrap @"$BOOT" --attribute "$ATTRIBUTE" --out "$OUT/report" | tee "$OUT/report.txt"
log "triage audit monitor --once --attribute $ATTRIBUTE"
"$TRIAGE" audit monitor --bootstrap @"$BOOT" --attribute "$ATTRIBUTE" --once 2>&1 | tee "$OUT/monitor.txt"

# 8. Control: the attribute replaced by a seeded random permutation (same marginal distribution)
log "control: $CONTROL_RUNS runs with $ATTRIBUTE shuffled"
: >"$OUT/control.jsonl"
for seed in $(seq "$CONTROL_RUNS"); do
  "$TRIAGE" audit report --bootstrap @"$BOOT" --attribute "$ATTRIBUTE" --randomize-attribute "$ATTRIBUTE" --seed "$seed" \
    --out "$OUT/control/$seed" --json 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); d['seed']=$seed; print(json.dumps(d))" >>"$OUT/control.jsonl"
  "$TRIAGE" audit monitor --bootstrap @"$BOOT" --attribute "$ATTRIBUTE" --once --no-publish --randomize-attribute "$ATTRIBUTE" --seed "$seed" \
    >/dev/null 2>"$OUT/control-monitor-$seed.log"
done

# 9. Summary
python3 - "$OUT" "$ATTRIBUTE" "$CONTROL_RUNS" <<'PY'
import json, re, sys, glob
out, attribute, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
fig = json.load(open(f"{out}/report/figures.json"))
overall = fig["overall"]
attr = next(a for a in overall["attributes"] if a["attribute"] == attribute)
print()
print(f"Seeded-disparity benchmark: {overall['records']} decisions, {len(fig['windows'])} window(s) of {fig['window_length_ms'] // 60000} min")
print()
print(f"{'cohort':<10} {'n':>6} {'handoff':>16} {'abstain':>16} {'low_conf':>16} {'automation':>16}")
def rate(c, m):
    r = c["rates"].get(m)
    return f"{r['rate']*100:5.1f}% [{r['ci_low']*100:4.1f},{r['ci_high']*100:4.1f}]" if r else "–"
for c in attr["cohorts"]:
    if c["suppressed"]:
        print(f"{c['value']:<10} suppressed"); continue
    print(f"{c['value']:<10} {c['n']:>6} {rate(c,'handoff'):>16} {rate(c,'abstain'):>16} {rate(c,'low_confidence'):>16} {rate(c,'automation'):>16}")
print()
print(f"{'comparison':<34} {'impact':>7} {'p':>10} {'p_adj':>10} {'alert':>6}")
for c in attr["comparisons"]:
    if c["cohort"] != "informal": continue
    print(f"{'informal ' + c['metric'] + ' vs rest':<34} {c['impact_ratio']:7.3f} {c['p_value']:10.2e} {c['p_adjusted']:10.2e} {str(c['alert']):>6}")
windows = [w for w in fig["windows"]]
walerts = sum(1 for w in windows for a in w["alerts"] if a["attribute"] == attribute)
print(f"\nwhole-range alerts on {attribute}: {sum(1 for a in overall['alerts'] if a['attribute'] == attribute)}; window alerts: {walerts}")
monitor = open(f"{out}/monitor.txt").read()
print(f"monitor --once: {len(re.findall(r'^window ', monitor, re.M))} window(s), {len(re.findall(r'ALERT ' + attribute + '=', monitor))} alert line(s) on {attribute}")
control = [json.loads(l) for l in open(f"{out}/control.jsonl") if l.strip()]
report_fa = sum(1 for d in control if d["alerts_by_attribute"].get(attribute, 0) + d["window_alerts_by_attribute"].get(attribute, 0) > 0)
monitor_fa = 0
for seed in range(1, runs + 1):
    text = open(f"{out}/control-monitor-{seed}.log").read()
    if re.search(r"ALERT " + attribute + "=", text): monitor_fa += 1
print(f"\ncontrol ({len(control)} runs, {attribute} shuffled): report runs with any alert on {attribute}: {report_fa}/{len(control)}; monitor --once runs with any alert: {monitor_fa}/{runs}")
PY

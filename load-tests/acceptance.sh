#!/usr/bin/env bash
# Acceptance load test for the Triage worker on the librdkafka mock cluster.
#
# Per scenario (each on a fresh `triage dev-cluster`):
#   1. start dev-cluster, 2 workers (--group acceptance), wait until both have partitions;
#   2. seed N tickets (~3% malformed) and time from seed start until processing is complete;
#   3. sigterm/sigkill: signal worker 1 when ~KILL_AT of the tickets are done;
#   4. poll `reconcile --json` until nothing is lost (bounded), SIGTERM the remaining
#      worker(s), require exit 0 within the shutdown timeout, final `reconcile --json`;
#   5. write load-tests/results/<scenario>.json and print a summary table.
#
# Acceptance per scenario: every seeded record is in the input topic (mock kept it all),
# routed unique ids == well-formed input ids (set equality via reconcile), audit unique ==
# routed unique, every malformed record dead-lettered, lost == 0, no unexpected ids,
# remaining workers exit 0. Duplicates are reported, not failed.
#
# Usage: load-tests/acceptance.sh [--count N] [--scenario all|clean|sigterm|sigkill]
#            [--bin PATH] [--partitions P] [--kill-at FRACTION] [--complete-timeout SECS]
#            [--work-dir DIR] [--keep-logs] [--model MODEL]
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=100000
SCENARIO=all
BIN="$ROOT/.build-load/release/triage"
PARTITIONS=24              # the mock keeps at most 5 MiB per partition; 12 is too few for the audit topic at 100k
BROKERS=3
KILL_AT=0.40
COMPLETE_TIMEOUT=600      # seconds from seed start until reconcile must say lost == 0
SHUTDOWN_TIMEOUT=30       # worker --shutdown-timeout; exit must follow within this + grace
SEED=1
WORK_DIR=""
KEEP_LOGS=0
MODEL=""                  # a trained model for the workers; empty = the placeholder classifier
RESULTS_DIR="$ROOT/load-tests/results"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --count) COUNT=$2; shift 2 ;;
        --scenario) SCENARIO=$2; shift 2 ;;
        --bin) BIN=$2; shift 2 ;;
        --partitions) PARTITIONS=$2; shift 2 ;;
        --kill-at) KILL_AT=$2; shift 2 ;;
        --complete-timeout) COMPLETE_TIMEOUT=$2; shift 2 ;;
        --work-dir) WORK_DIR=$2; shift 2 ;;
        --keep-logs) KEEP_LOGS=1; shift ;;
        --model) MODEL=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

case "$SCENARIO" in
    all) SCENARIOS=(clean sigterm sigkill) ;;
    clean|sigterm|sigkill) SCENARIOS=("$SCENARIO") ;;
    *) echo "--scenario must be all|clean|sigterm|sigkill, not '$SCENARIO'" >&2; exit 2 ;;
esac
[[ "$COUNT" =~ ^[0-9]+$ && "$COUNT" -ge 1 ]] || { echo "--count must be a positive integer" >&2; exit 2; }
[[ -x "$BIN" ]] || { echo "triage binary not found at $BIN (build: swift build -c release --product triage --scratch-path .build-load)" >&2; exit 2; }
if ! command -v jq >/dev/null || ! command -v kcat >/dev/null; then
  echo "acceptance: installing jq and kcat" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq jq kcat >&2 || true
fi
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 2; }

ulimit -c 0                      # no core dumps from SIGKILLed/aborted processes
ulimit -n 8192 2>/dev/null || true

if [[ -z "$WORK_DIR" ]]; then
    WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triage-acceptance.XXXXXX")
else
    mkdir -p "$WORK_DIR"
fi
mkdir -p "$RESULTS_DIR"

# ---------------------------------------------------------------------------------------
# Process bookkeeping: every background process we start is recorded and cleaned up.
PIDS=()
log() { printf '%s [acceptance] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

alive() { kill -0 "$1" 2>/dev/null; }

# stop PID [signal] [seconds]: signal a process we started, escalate to SIGKILL.
stop() {
    local pid=$1 sig=${2:-TERM} secs=${3:-10} i
    alive "$pid" || return 0
    kill -s "$sig" "$pid" 2>/dev/null
    for ((i = 0; i < secs * 10; i++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
        log "pid $pid still alive after SIG$sig + ${secs}s; SIGKILL"
        kill -s KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    local pid
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid=${PIDS[i]}
        [[ -n "$pid" ]] && stop "$pid" TERM 5
    done
    PIDS=()
}
on_exit() {
    local rc=$?
    cleanup
    if [[ $KEEP_LOGS -eq 0 && $rc -eq 0 ]]; then rm -rf "$WORK_DIR"; else log "logs kept in $WORK_DIR"; fi
    exit $rc
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM

# The latest cumulative "progress: N tickets done" of a worker log (0 if none yet).
progress_of() { grep -o 'progress: [0-9]*' "$1" 2>/dev/null | tail -1 | awk '{ print $2 + 0 }' | grep . || echo 0; }
# "in flight" of the latest progress line (-1 if none yet).
inflight_of() { grep -o '[0-9]* in flight' "$1" 2>/dev/null | tail -1 | awk '{ print $1 + 0 }' | grep . || echo -1; }
# Partitions owned according to the latest progress line (0 if none yet).
partitions_of() { grep -o '[0-9]* partitions$' "$1" 2>/dev/null | tail -1 | awk '{ print $1 + 0 }' | grep . || echo 0; }
# Epoch second of the last progress line whose counter went up (the end of processing,
# 1 s resolution), over all given worker logs.
last_increase_ts() {
    local f line ts best=0
    for f in "$@"; do
        line=$(grep 'progress: [0-9]* tickets done (+[1-9]' "$f" 2>/dev/null | tail -1) || continue
        [[ -n "$line" ]] || continue
        ts=$(date -d "${line%% *}" +%s 2>/dev/null) || continue
        [[ $ts -gt $best ]] && best=$ts
    done
    echo "$best"
}
# Count of "partitions assigned" lines in a worker log.
assigned_lines() { grep -c 'partitions assigned' "$1" 2>/dev/null || true; }

# Seconds since epoch of the first log line matching PATTERN after line number AFTER.
first_ts_after() {
    local file=$1 pattern=$2 after=$3 line ts
    line=$(awk -v n="$after" 'NR > n' "$file" | grep -m1 "$pattern") || return 1
    ts=${line%% *}
    date -d "$ts" +%s 2>/dev/null
}

# ---------------------------------------------------------------------------------------
run_scenario() {
    local name=$1 dir="$WORK_DIR/$1" bootstrap rc reason="" w1_rc="" t_w1_exit=""
    mkdir -p "$dir"
    log "=== scenario $name: $COUNT tickets, $PARTITIONS partitions, 2 workers (logs: $dir)"

    # 1. fresh dev cluster
    "$BIN" dev-cluster --brokers "$BROKERS" --partitions "$PARTITIONS" --bootstrap-file "$dir/bootstrap" \
        >"$dir/cluster.out" 2>"$dir/cluster.log" &
    local cluster=$!; PIDS+=("$cluster")
    local i
    for ((i = 0; i < 300; i++)); do [[ -s "$dir/bootstrap" ]] && break; alive "$cluster" || break; sleep 0.1; done
    [[ -s "$dir/bootstrap" ]] || { log "dev-cluster did not start"; cat "$dir/cluster.log" >&2; return 1; }
    bootstrap="@$dir/bootstrap"
    log "dev-cluster pid $cluster at $(cat "$dir/bootstrap")"

    # 2. two workers, wait for both to hold partitions
    local w1 w2
    "$BIN" work --dev --bootstrap "$bootstrap" --group acceptance --worker-id w1 --progress-interval 1 \
        --shutdown-timeout "$SHUTDOWN_TIMEOUT" ${MODEL:+--model "$MODEL"} >"$dir/w1.out" 2>"$dir/w1.log" &
    w1=$!; PIDS+=("$w1")
    "$BIN" work --dev --bootstrap "$bootstrap" --group acceptance --worker-id w2 --progress-interval 1 \
        --shutdown-timeout "$SHUTDOWN_TIMEOUT" ${MODEL:+--model "$MODEL"} >"$dir/w2.out" 2>"$dir/w2.log" &
    w2=$!; PIDS+=("$w2")
    local t_join; t_join=$(now)
    for ((i = 0; i < 600; i++)); do
        [[ $(assigned_lines "$dir/w1.log") -ge 1 && $(assigned_lines "$dir/w2.log") -ge 1 ]] && break
        alive "$w1" && alive "$w2" || break
        sleep 0.1
    done
    if [[ $(assigned_lines "$dir/w1.log") -lt 1 || $(assigned_lines "$dir/w2.log") -lt 1 ]]; then
        log "workers did not both get partitions within 60s"; tail -5 "$dir/w1.log" "$dir/w2.log" >&2; return 1
    fi
    # Let the cooperative rebalance settle (w1 first takes all, then gives half to w2).
    sleep 2
    log "workers w1=$w1 w2=$w2 have partitions after $(elapsed "$t_join" "$(now)")s"

    # 3. seed (in the background so a kill can land while seeding)
    local t_seed; t_seed=$(now)
    timeout 600 "$BIN" seed --bootstrap "$bootstrap" --count "$COUNT" --seed "$SEED" --ids-file "$dir/ids.txt" \
        >"$dir/seed.out" 2>"$dir/seed.log" &
    local seeder=$!; PIDS+=("$seeder")
    local seed_rc="" t_seeded="" killed=0 t_kill="" done_at_kill="" kill_line_w2=0
    local kill_target
    kill_target=$(awk -v n="$COUNT" -v f="$KILL_AT" 'BEGIN { printf "%d", n * f }')
    local deadline; deadline=$(awk -v t="$t_seed" -v s="$COMPLETE_TIMEOUT" 'BEGIN { printf "%d", t + s }')
    local complete=0 t_complete="" polls=0 quiet=0 last_sum=-1 report=""

    # 4. monitor: kill when due, then poll reconcile once the workers look done
    while :; do
        if [[ -z "$seed_rc" ]] && ! alive "$seeder"; then
            wait "$seeder"; seed_rc=$?; t_seeded=$(now)
            log "seed finished rc=$seed_rc in $(elapsed "$t_seed" "$t_seeded")s: $(cat "$dir/seed.out")"
            [[ $seed_rc -eq 0 ]] || { log "seed failed"; tail -5 "$dir/seed.log" >&2; return 1; }
        fi
        local p1 p2 sum
        p1=$(progress_of "$dir/w1.log"); p2=$(progress_of "$dir/w2.log"); sum=$((p1 + p2))
        if [[ $name != clean && $killed -eq 0 && $sum -ge $kill_target ]]; then
            local sig=TERM; [[ $name == sigkill ]] && sig=KILL
            kill_line_w2=$(wc -l <"$dir/w2.log")
            t_kill=$(now); done_at_kill=$sum
            kill -s "$sig" "$w1"; killed=1
            log "sent SIG$sig to w1 at $(elapsed "$t_seed" "$t_kill")s, ~$sum/$COUNT done (w1 $p1, w2 $p2)"
        fi
        if [[ $killed -eq 1 && -z "$w1_rc" ]] && ! alive "$w1"; then
            wait "$w1"; w1_rc=$?; t_w1_exit=$(now)
            log "w1 exited rc=$w1_rc $(elapsed "$t_kill" "$t_w1_exit")s after the signal"
        fi
        if ! alive "$w2"; then log "w2 died unexpectedly"; tail -5 "$dir/w2.log" >&2; return 1; fi
        if [[ $name == clean ]] && ! alive "$w1"; then log "w1 died unexpectedly"; tail -5 "$dir/w1.log" >&2; return 1; fi

        # Cheap gate before an expensive reconcile (it reads every topic and competes for
        # the CPU): seeding done, and the progress counters reached N, or the workers were
        # quiet for 3 s while w2 owns every partition (after a kill it idles until the group
        # rebalance hands it w1's partitions), or quiet for 30 s whatever the reason.
        if [[ -n "$seed_rc" ]]; then
            if [[ $sum -eq $last_sum ]]; then quiet=$((quiet + 1)); else quiet=0; fi
            local owned; owned=$(partitions_of "$dir/w2.log")
            if [[ ( $killed -eq 0 && $sum -ge $COUNT ) || ( $quiet -ge 3 && ( $killed -eq 0 || $owned -ge $PARTITIONS ) ) || $quiet -ge 30 ]]; then
                local t_poll; t_poll=$(now)
                polls=$((polls + 1))
                timeout 180 "$BIN" reconcile --bootstrap "$bootstrap" --json >"$dir/reconcile.poll.json" 2>"$dir/reconcile.poll.log"
                if jq -e '.lost == 0 and .missing_audit == 0' "$dir/reconcile.poll.json" >/dev/null 2>&1; then
                    complete=1; t_complete=$t_poll   # data was complete when this read started
                    log "complete at $(elapsed "$t_seed" "$t_complete")s (reconcile poll $polls took $(elapsed "$t_poll" "$(now)")s)"
                    break
                fi
                log "poll $polls: $(jq -c '{routed_unique, audit_unique, lost, missing_audit}' "$dir/reconcile.poll.json" 2>/dev/null || echo 'reconcile failed') (progress sum $sum)"
                quiet=0
            fi
        fi
        last_sum=$sum
        if [[ $(date +%s) -ge $deadline ]]; then reason="not complete within ${COMPLETE_TIMEOUT}s"; log "$reason"; break; fi
        sleep 1
    done
    if [[ $killed -eq 0 && $name != clean ]]; then
        reason="${reason:+$reason; }kill never sent (progress never reached $kill_target)"
    fi

    # Rebalance timing: first "partitions assigned" on w2 after the kill.
    local rebalance_s=null
    if [[ $killed -eq 1 ]]; then
        local ts_assign; ts_assign=$(first_ts_after "$dir/w2.log" 'partitions assigned' "$kill_line_w2") || ts_assign=""
        [[ -n "$ts_assign" ]] && rebalance_s=$(awk -v a="$t_kill" -v b="$ts_assign" 'BEGIN { printf "%d", b - a + 0.999 }')
    fi

    # 5. graceful stop of the remaining worker(s): must exit 0 within the shutdown timeout
    local grace=$((SHUTDOWN_TIMEOUT + 15)) w
    local -A exit_rc=()
    local -A stop_secs=()
    for w in w1 w2; do
        local pid; [[ $w == w1 ]] && pid=$w1 || pid=$w2
        if [[ $w == w1 && $killed -eq 1 ]]; then
            # Already signalled mid-run; it must have exited (or exit now) on its own.
            if [[ -z "$w1_rc" ]]; then
                for ((i = 0; i < grace * 10; i++)); do alive "$w1" || break; sleep 0.1; done
                if alive "$w1"; then
                    kill -KILL "$w1"; reason="${reason:+$reason; }w1 did not exit within ${grace}s of the mid-run signal"
                fi
                wait "$w1"; w1_rc=$?; t_w1_exit=$(now)
            fi
            exit_rc[w1]=$w1_rc; stop_secs[w1]=null
            continue
        fi
        local t_stop; t_stop=$(now)
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < grace * 10; i++)); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then
            log "$w did not exit within ${grace}s of SIGTERM; SIGKILL"
            kill -KILL "$pid"
            reason="${reason:+$reason; }$w did not exit within ${grace}s"
        fi
        wait "$pid"; exit_rc[$w]=$?
        stop_secs[$w]=$(elapsed "$t_stop" "$(now)")
        log "$w exited rc=${exit_rc[$w]} ${stop_secs[$w]}s after SIGTERM"
    done

    # 6. final reconcile
    timeout 300 "$BIN" reconcile --bootstrap "$bootstrap" --json >"$dir/reconcile.json" 2>"$dir/reconcile.log"
    local rec_rc=$?
    timeout 300 "$BIN" reconcile --bootstrap "$bootstrap" >"$dir/reconcile.txt" 2>&1 || true
    if ! jq -e . "$dir/reconcile.json" >/dev/null 2>&1; then
        log "final reconcile produced no JSON (rc=$rec_rc)"; cat "$dir/reconcile.log" >&2; return 1
    fi

    # Restart check (reported, not failed): a fresh member of the same group should find
    # every offset committed and reprocess nothing. Anything it does process is a ticket
    # whose offset the earlier workers did not commit (duplicates on the next deploy).
    local reprocessed=null
    "$BIN" work --dev --bootstrap "$bootstrap" --group acceptance --worker-id w3 --progress-interval 1 \
        --shutdown-timeout "$SHUTDOWN_TIMEOUT" ${MODEL:+--model "$MODEL"} >"$dir/w3.out" 2>"$dir/w3.log" &
    local w3=$!; PIDS+=("$w3")
    for ((i = 0; i < 300; i++)); do [[ $(assigned_lines "$dir/w3.log") -ge 1 ]] && break; alive "$w3" || break; sleep 0.1; done
    if [[ $(assigned_lines "$dir/w3.log") -ge 1 ]]; then
        local last=-1 same=0 cur
        for ((i = 0; i < 120 && same < 4; i++)); do
            sleep 1; cur=$(progress_of "$dir/w3.log")
            if [[ $cur -eq $last ]]; then same=$((same + 1)); else same=0; fi
            last=$cur
        done
        stop "$w3" TERM $((SHUTDOWN_TIMEOUT + 15))
        reprocessed=$(grep -o 'w3 stopped: [0-9]*' "$dir/w3.log" | awk '{ print $3 }')
        [[ -n "$reprocessed" ]] || reprocessed=$(progress_of "$dir/w3.log")
        log "restart check: a fresh group member reprocessed $reprocessed tickets"
    else
        log "restart check: w3 got no partitions within 30s"; stop "$w3" TERM 10
    fi

    # Mock retention check: low watermarks > 0 mean the mock dropped data (5 MiB/partition).
    local dropped=null
    if command -v kcat >/dev/null; then
        dropped=$(kcat_low_sum "$(cat "$dir/bootstrap")")
    fi

    # Say-to-do and tamper evidence over the whole run (issue 4 and 5 acceptance):
    # simulated fulfilment of the actions (97% on time, 2% late, 1% never), the ledger settled
    # as of 2100-01-01 (every promise due), then the independent join of replies, actions,
    # outcomes and escalations, and the audit hash chains.
    local far=2100-01-01T00:00:00Z
    timeout 300 "$BIN" simulate-outcomes --bootstrap "$bootstrap" --on-time 0.97 --late 0.02 >"$dir/outcomes.out" 2>"$dir/outcomes.log" || log "simulate-outcomes failed"
    timeout 600 "$BIN" ledger run --bootstrap "$bootstrap" --once --at "$far" >"$dir/ledger.out" 2>"$dir/ledger.log" || log "ledger failed"
    timeout 300 "$BIN" ledger check --bootstrap "$bootstrap" --at "$far" --json >"$dir/saytodo.json" 2>"$dir/saytodo.log"
    jq -e . "$dir/saytodo.json" >/dev/null 2>&1 || echo '{"clean":false,"error":"ledger check failed"}' >"$dir/saytodo.json"
    timeout 300 "$BIN" audit verify --bootstrap "$bootstrap" --json >"$dir/verify.json" 2>"$dir/verify.log"
    jq -e . "$dir/verify.json" >/dev/null 2>&1 || echo '{"intact":false,"error":"audit verify failed"}' >"$dir/verify.json"
    log "say-to-do: $(jq -c . "$dir/saytodo.json"); audit chains: $(jq -c '{intact, records, chains, checkpoints, findings: (.findings | length)}' "$dir/verify.json")"

    stop "$cluster" TERM 10

    local seeded ids wall tput
    seeded=$(grep -o 'seeded [0-9]*' "$dir/seed.out" | awk '{ print $2 }')
    ids=$(wc -l <"$dir/ids.txt")
    local confirmed=null t_end
    if [[ $complete -eq 1 ]]; then
        # Processing ended at the last progress increment (worker logs, 1 s resolution);
        # the reconcile that confirmed it started at t_complete (an upper bound).
        confirmed=$(elapsed "$t_seed" "$t_complete")
        t_end=$(last_increase_ts "$dir/w1.log" "$dir/w2.log")
        if [[ $t_end -gt 0 ]] && awk -v e="$t_end" -v c="$t_complete" 'BEGIN { exit !(e <= c + 1) }'; then
            wall=$(elapsed "$t_seed" "$t_end")
        else
            wall=$confirmed
        fi
        tput=$(awk -v n="$seeded" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
    else
        wall=null; tput=null
    fi
    local seed_secs; seed_secs=$(elapsed "$t_seed" "$t_seeded")

    # Acceptance checks
    local r="$dir/reconcile.json" expect_w1=0
    [[ $name == sigkill ]] && expect_w1=137
    local fails=()
    jq -e --argjson n "$seeded" '.input_records == $n' "$r" >/dev/null || fails+=("input_records != seeded (mock dropped input? raise --partitions)")
    jq -e --argjson n "$ids" '.well_formed_inputs == $n' "$r" >/dev/null || fails+=("well-formed inputs != ids-file lines")
    jq -e '.routed_unique == .well_formed_inputs' "$r" >/dev/null || fails+=("routed unique != well-formed inputs")
    jq -e '.audit_unique == .routed_unique' "$r" >/dev/null || fails+=("audit unique != routed unique")
    jq -e '.dead_letter_unique == .malformed_inputs' "$r" >/dev/null || fails+=("dead-letter unique != malformed inputs")
    jq -e '.lost == 0 and .missing_audit == 0 and .unexpected == 0 and .complete == true' "$r" >/dev/null || fails+=("reconcile not complete")
    [[ $complete -eq 1 ]] || fails+=("processing not complete in time")
    [[ ${exit_rc[w2]} -eq 0 ]] || fails+=("w2 exit ${exit_rc[w2]} (want 0)")
    [[ ${exit_rc[w1]} -eq $expect_w1 ]] || fails+=("w1 exit ${exit_rc[w1]} (want $expect_w1)")
    jq -e '.unbacked == 0 and .not_escalated == 0' "$dir/saytodo.json" >/dev/null || fails+=("say-to-do: unbacked or unescalated commitments")
    jq -e '.intact == true' "$dir/verify.json" >/dev/null || fails+=("audit hash chains broken")
    [[ -n "$reason" ]] && fails+=("$reason")
    local pass=true; [[ ${#fails[@]} -eq 0 ]] || pass=false

    local failures_json; failures_json=$(printf '%s\n' "${fails[@]}" | jq -R . | jq -s 'map(select(length > 0))')
    jq -n \
        --arg scenario "$name" --argjson pass "$pass" --argjson failures "$failures_json" \
        --argjson seeded "$seeded" --argjson partitions "$PARTITIONS" --argjson workers 2 \
        --argjson wall "$wall" --argjson tput "$tput" --argjson seed_secs "$seed_secs" --argjson confirmed "$confirmed" \
        --argjson killed "$killed" --arg kill_signal "$( [[ $name == sigterm ]] && echo SIGTERM || { [[ $name == sigkill ]] && echo SIGKILL || echo none; } )" \
        --argjson kill_at_s "$( [[ $killed -eq 1 ]] && elapsed "$t_seed" "$t_kill" || echo null )" \
        --argjson done_at_kill "${done_at_kill:-null}" \
        --argjson w1_exit_after_signal_s "$( [[ $killed -eq 1 && -n "$t_w1_exit" ]] && elapsed "$t_kill" "$t_w1_exit" || echo null )" \
        --argjson rebalance_s "$rebalance_s" \
        --argjson w1_rc "${exit_rc[w1]}" --argjson w2_rc "${exit_rc[w2]}" \
        --argjson w1_stop "${stop_secs[w1]}" --argjson w2_stop "${stop_secs[w2]}" \
        --argjson polls "$polls" --argjson dropped "$dropped" --argjson reprocessed "$reprocessed" \
        --slurpfile rec "$r" --slurpfile saytodo "$dir/saytodo.json" --slurpfile verify "$dir/verify.json" \
        '{scenario: $scenario, pass: $pass, failures: $failures,
          seeded: $seeded, partitions: $partitions, workers: $workers,
          routed_unique: $rec[0].routed_unique, routed_records: $rec[0].routed_records,
          duplicates: $rec[0].routed_duplicates,
          audit_unique: $rec[0].audit_unique, audit_records: $rec[0].audit_records,
          dead_letter_unique: $rec[0].dead_letter_unique, dead_letter_records: $rec[0].dead_letter_records,
          lost: $rec[0].lost, missing_audit: $rec[0].missing_audit, unexpected: $rec[0].unexpected,
          wall_seconds: $wall, throughput_per_s: $tput, seed_seconds: $seed_secs,
          confirmed_complete_at_seconds: $confirmed,
          kill: {signal: $kill_signal, sent: ($killed == 1), at_s: $kill_at_s, done_at_kill: $done_at_kill,
                 w1_exit_after_signal_s: $w1_exit_after_signal_s, w2_reassigned_after_s: $rebalance_s},
          exit_codes: {w1: $w1_rc, w2: $w2_rc}, sigterm_stop_seconds: {w1: $w1_stop, w2: $w2_stop},
          reconcile_polls: $polls, mock_low_watermark_sum: $dropped,
          reprocessed_by_fresh_member_after_stop: $reprocessed,
          say_to_do: $saytodo[0],
          audit_verify: ($verify[0] | {intact, records, chains, checkpoints, findings: (.findings | length), first_findings: (.findings[:5])}),
          reconcile: $rec[0]}' >"$RESULTS_DIR/$name.json"

    if [[ $pass == true ]]; then log "scenario $name PASSED"; else log "scenario $name FAILED: ${fails[*]}"; fi
    cleanup
    [[ $pass == true ]]
}

# Sum of the low watermarks of every partition of every topic (0 = the mock dropped nothing).
kcat_low_sum() {
    local b=$1 topics t p n sum=0 args=()
    topics=$(timeout 30 kcat -b "$b" -L -J 2>/dev/null | jq -r '.topics[] | "\(.topic) \(.partitions | length)"') || { echo null; return; }
    while read -r t n; do
        [[ -z "$t" || "$t" == __* ]] && continue
        for ((p = 0; p < n; p++)); do args+=(-t "$t:$p:-2"); done
    done <<<"$topics"
    [[ ${#args[@]} -gt 0 ]] || { echo 0; return; }
    sum=$(timeout 60 kcat -b "$b" -Q "${args[@]}" 2>/dev/null | awk '/offset/ { for (i = 1; i <= NF; i++) if ($i == "offset") s += $(i + 1) } END { print s + 0 }')
    echo "${sum:-null}"
}

# ---------------------------------------------------------------------------------------
log "binary: $BIN; scenarios: ${SCENARIOS[*]}; count: $COUNT; partitions: $PARTITIONS; work dir: $WORK_DIR"
overall=0
for s in "${SCENARIOS[@]}"; do
    run_scenario "$s" || overall=1
    cleanup
done

printf '\n%-8s %-5s %8s %8s %6s %8s %8s %5s %8s %9s %8s %9s %8s\n' \
    scenario pass seeded routed dups audit dlq lost wall_s tickets/s kill_at reassign restart
for s in "${SCENARIOS[@]}"; do
    f="$RESULTS_DIR/$s.json"
    [[ -f "$f" ]] || { printf '%-8s %-5s (no result)\n' "$s" false; continue; }
    jq -r '[.scenario, (.pass|tostring), .seeded, .routed_unique, .duplicates, .audit_unique,
            .dead_letter_unique, .lost, (.wall_seconds // "-"), (.throughput_per_s // "-"),
            (if .kill.sent then "\(.kill.done_at_kill)" else "-" end),
            (if .kill.w2_reassigned_after_s then "\(.kill.w2_reassigned_after_s)s" else "-" end),
            (.reprocessed_by_fresh_member_after_stop // "-")] | @tsv' "$f" |
        awk -F'\t' '{ printf "%-8s %-5s %8s %8s %6s %8s %8s %5s %8s %9s %8s %9s %8s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13 }'
done
exit $overall

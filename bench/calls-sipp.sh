#!/usr/bin/env bash
# Call-setup bench (issue 2): SIPp UAC -> belfry (B2BUA) -> SIPp UAS,
# INVITE/100/180/200/ACK/BYE/200, no RTP packets (the SDP is still anchored:
# belfry allocates relay ports per call), CDRs written. Reference: the peer
# kit's Kamailio stateful proxy in the same run.
#
# belfry's configuration (bench/config/calls): the UAC at 127.0.0.1 is trunk
# `bench-in` (identified by source address, no digest, like a carrier); the
# kit's UAC dials sip:bench@…, which is no number, so the dialplan's
# `unassigned` destination sends it to +31205550000, whose outbound rule
# uses trunk `bench-out` = the kit's SIPp UAS at 127.0.0.1:25080.
#
# Phases:
#  1. the kit's `bench-calls.sh sut` (ramp + bisection) once per repeat, each
#     against a fresh belfry, then the confirmation run (CONFIRM_SECS at the
#     median maximum) against another fresh one: the kit gives Kamailio a
#     fresh process per repeat and for its confirmation, and a switch that
#     has just been overloaded by the ramp's failing steps still carries 32 s
#     of retransmitting transactions and a heap of garbage into whatever comes
#     next. CPU/RSS of belfry's PID from /proc. (FRESH=0: one belfry for
#     everything, the method of the runs before 23 Nov 16:20.)
#  2. CDR check: rows in belfry's cdr_calls (one data folder for all of
#     phase 1's belfrys) against calls completed;
#  3. memory per call, on a fresh belfry: HOLD_CALLS calls held HOLD_S
#     seconds at HOLD_RATE/s, belfry's RSS at the plateau minus before,
#     divided by the concurrent calls (belfry's /api/v1/calls count);
#  4. reference: the kit's `bench-calls.sh proxy` (Kamailio).
#
#   bench/calls-sipp.sh                                   # full
#   CALL_RATES="50 100" STEP_SECS=2 REPEATS=1 BISECT=0 CONFIRM_SECS=2 QUIET_MAX_WAIT=1 \
#     HOLD_RATE=20 HOLD_S=5 REFERENCE=1 bench/calls-sipp.sh   # smoke check
#
# Prints one JSON line (last line of stdout). 127.0.0.1 only; every SIPp run
# is bounded; only PIDs this script started are stopped.
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH/belfry-lib.sh"
[ -r "$PEERS/lib.sh" ] || { echo "peer kit not found at $PEERS (set PEERS=)" >&2; exit 2; }
command -v sipp > /dev/null || { echo "sipp not found (apt-get install sip-tester)" >&2; exit 2; }
export WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/belfry-bench-calls.XXXXXX")}
export RUN_DIR=${RUN_DIR:-$WORK/results}
source "$PEERS/lib.sh"
REFERENCE=${REFERENCE:-1}
SUT_PORT=${SUT_PORT:-25062}
HTTP_PORT=${HTTP_PORT:-25063}
HOLD_RATE=${HOLD_RATE:-200}
HOLD_S=${HOLD_S:-20}
HOLD_CALLS=${HOLD_CALLS:-$((HOLD_RATE * (HOLD_S + 10)))}
export CALL_RATES STEP_SECS REPEATS BISECT CONFIRM_SECS QUIET_MAX_WAIT QUIET_PCT SETTLE_SECS SETTLE_FAIL_SECS
mkdir -p "$WORK" "$RUN_DIR"
HOLD_UAS_PID=""
cleanup() {
  [ -n "$HOLD_UAS_PID" ] && { kill "$HOLD_UAS_PID" 2>/dev/null; wait "$HOLD_UAS_PID" 2>/dev/null; }
  belfry_stop
}
trap cleanup EXIT
need_ports "$SUT_PORT" "$UAS_PORT" "$UAC_PORT"
cp -r "$BENCH/config/calls" "$WORK/belfry-config"
sed -i "s/port: 25080/port: $UAS_PORT/" "$WORK/belfry-config/dialplan/plan.yaml"
# RTP_RELAY=native|js|auto: belfry's rtp.relay (default: the config's, auto).
[ -n "${RTP_RELAY:-}" ] && sed -i "s/^rtp:$/rtp:\n  relay: $RTP_RELAY/" "$WORK/belfry-config/belfry.yaml"

# 1. ramp through the kit, belfry as the system under test
FRESH=${FRESH:-1}
SS=$RUN_DIR/calls-sut-summary.tsv
CONFIRM_TSV=$RUN_DIR/calls-sut-confirm.tsv
echo -e "rate\tok\tfailed\tretrans\tuas_failed\tachieved_per_s\tcpu_pct\tcpu_us_per_call\tpass" > "$CONFIRM_TSV"
# confirm_rows LABEL STEPS_TSV: the confirmation step's figures into $CONFIRM_TSV.
confirm_rows() {
  awk -F'\t' -v OFS='\t' -v t="$1" 'NR > 1 && $1 == t { print $3, $6, $7, $8, $10, $11, $13, $18, $24 }' "$2" >> "$CONFIRM_TSV"
}
# start_belfry LOG_NAME: a belfry on the bench config; every one shares the data folder (the CDR check covers them all).
start_belfry() {
  belfry_start "$WORK/belfry-config" "$WORK/belfry-data" "$SUT_PORT" "$HTTP_PORT" "$RUN_DIR/$1.log" || die "belfry did not start"
}
# kit_sut NAME [VAR=value...]: one run of the kit's sut mode in $RUN_DIR/NAME against the running belfry.
kit_sut() {
  local name=$1; shift
  env "$@" RUN_DIR="$RUN_DIR/$name" SUT_ADDR=127.0.0.1:$SUT_PORT SUT_PID=$BELFRY_PID bash "$PEERS/bench-calls.sh" sut >&2 || log "WARNING: bench-calls.sh sut failed ($name)"
  # Its steps join this run's table (phase 2 counts the calls completed over all of them).
  tail -n +2 "$RUN_DIR/$name/calls-steps.tsv" >> "$RUN_DIR/calls-steps.tsv" 2>/dev/null
}
if [ "$FRESH" = 1 ]; then
  [ -s "$RUN_DIR/calls-steps.tsv" ] || echo "$STEP_HDR" > "$RUN_DIR/calls-steps.tsv"
  echo -e "repeat\tmax_pass_cps\tfirst_fail_cps\tkam_cpu_pct_at_max\tkam_cpu_us_per_call_at_max\tuac_cpu_pct_at_max\tuas_cpu_pct_at_max\trtd_p99_ms_at_max" > "$SS"
  rss_start=""
  for rep in $(seq 1 "$REPEATS"); do
    start_belfry belfry-calls-r$rep
    [ -n "$rss_start" ] || rss_start=$(belfry_rss_kb)
    # CONFIRM_SECS=0: the kit's own confirmation is a zero-length step (ignored); ours follows below.
    kit_sut "rep$rep" REPEATS=1 CONFIRM_SECS=0
    tail -n +2 "$RUN_DIR/rep$rep/calls-sut-summary.tsv" | awk -F'\t' -v OFS='\t' -v r="$rep" '{ $1 = r; print }' >> "$SS"
    belfry_stop
    sleep 2
  done
  med=$(tsv_median "$SS" 2); med=${med%.*}
  if [ "$med" != null ] && [ "$med" -gt 0 ] && [ "$CONFIRM_SECS" -gt 0 ]; then
    log "median max rate $med cps; confirmation run of ${CONFIRM_SECS}s on a fresh belfry"
    start_belfry belfry-calls-confirm
    kit_sut confirm REPEATS=1 CONFIRM_SECS=0 BISECT=0 CALL_RATES="$med" STEP_SECS="$CONFIRM_SECS"
    confirm_rows calls-sut "$RUN_DIR/confirm/calls-steps.tsv"
    belfry_stop
  fi
else
  start_belfry belfry-calls
  rss_start=$(belfry_rss_kb)
  SUT_ADDR=127.0.0.1:$SUT_PORT SUT_PID=$BELFRY_PID bash "$PEERS/bench-calls.sh" sut >&2 || log "WARNING: bench-calls.sh sut failed"
  confirm_rows calls-sut-confirm "$RUN_DIR/calls-steps.tsv"
fi

# 2. CDRs: every completed call has its row (the writer may lag a moment)
sleep 2
calls_ok=$(awk -F'\t' 'NR > 1 && $1 ~ /^calls-sut/ { s += $6 } END { print s + 0 }' "$RUN_DIR/calls-steps.tsv")
cdrs=$(sqlite3 "$WORK/belfry-data/belfry.db" "select count(*) from cdr_calls where disposition = 'ANSWERED'" 2>/dev/null || echo 0)
log "calls completed by SIPp: $calls_ok, ANSWERED CDR rows: $cdrs"

# 3. memory per concurrent call, on a belfry that has seen no overload
if [ "$FRESH" = 1 ]; then
  start_belfry belfry-calls-hold
  sleep 20   # start-up garbage (the plan compile) is returned to the OS by then, not inside the delta
fi
rss_idle=$(belfry_rss_kb)
sipp -sf "$PEERS/sipp/uas_rr.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin -buff_size "$SIPP_BUFF" \
     -timeout "$((HOLD_S * 3 + 120))s" > "$WORK/hold-uas.out" 2>&1 &
HOLD_UAS_PID=$!
sleep 1
timeout $((HOLD_CALLS / HOLD_RATE + HOLD_S * 2 + 60)) \
  sipp "127.0.0.1:$SUT_PORT" -sf "$PEERS/sipp/uac_rr.xml" -s bench -i 127.0.0.1 -p "$UAC_PORT" -d "$((HOLD_S * 1000))" \
       -r "$HOLD_RATE" -m "$HOLD_CALLS" -l $((HOLD_RATE * (HOLD_S + 5))) -nostdin -buff_size "$SIPP_BUFF" \
       -timeout "$((HOLD_CALLS / HOLD_RATE + HOLD_S * 2 + 30))s" -recv_timeout 10000 -trace_stat -stf "$WORK/hold.csv" -fd 1 > "$WORK/hold-uac.out" 2>&1 &
HOLD_UAC_PID=$!
sleep $((HOLD_S + 3))
peak_rss=0 peak_calls=0
for _ in $(seq 1 5); do   # sample the plateau a few times, keep the largest
  n=$(belfry_api "$HTTP_PORT" /api/v1/calls | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>{try{const j=JSON.parse(s);console.log((j.items??j).length)}catch{console.log(0)}})')
  r=$(belfry_rss_kb)
  [ "$n" -gt "$peak_calls" ] && { peak_calls=$n; peak_rss=$r; }
  sleep 1
done
wait "$HOLD_UAC_PID"; hold_rc=$?
kill "$HOLD_UAS_PID" 2>/dev/null; wait "$HOLD_UAS_PID" 2>/dev/null; HOLD_UAS_PID=""
log "hold phase: rc $hold_rc, $peak_calls concurrent calls, RSS $rss_idle -> $peak_rss kB"
belfry_stop

# 4. reference
if [ "$REFERENCE" = 1 ]; then
  log "reference: the peer kit's Kamailio stateful proxy, same knobs"
  bash "$PEERS/bench-calls.sh" proxy >&2 || log "WARNING: Kamailio reference failed"
fi
PS=$RUN_DIR/calls-proxy-summary.tsv
node -e '
const [bm, bu, km, ku, ok, cdrs, idle, peak, conc, holdRc, reps, step, dir, start, confirmRow, fresh] = process.argv.slice(1);
const num = (s) => (s === undefined || s === "null" || s === "NA" || s === "" ? null : Number(s));
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const c = Number(conc);
console.log(JSON.stringify({
  bench: "calls-sipp", repeats: Number(reps), stepSecs: Number(step),
  freshPerRepeat: fresh === "1",
  belfry: { maxCps: num(bm), cpuUsPerCall: num(bu), rssStartKb: num(start), callsCompleted: Number(ok), answeredCdrs: Number(cdrs), cdrsComplete: Number(cdrs) >= Number(ok),
            confirm: confirmRow ? Object.fromEntries(["rate", "ok", "failed", "retrans", "uasFailed", "achievedPerS", "cpuPct", "cpuUsPerCall", "pass"].map((k, i) => [k, num(confirmRow.split("\t")[i])])) : null,
            concurrentCalls: c, rssIdleKb: num(idle), rssHeldKb: num(peak), bytesPerCall: c > 0 ? Math.round(((Number(peak) - Number(idle)) * 1024) / c) : null, holdSippRc: Number(holdRc) },
  kamailio: { maxCps: num(km), cpuUsPerCall: num(ku) },
  ratio: { rate: ratio(num(bm), num(km)), cpuPerCall: ratio(num(bu), num(ku)) },
  results: dir, date: new Date().toISOString(),
}));' "$(tsv_median "$SS" 2)" "$(tsv_median "$SS" 5)" "$(tsv_median "$PS" 2)" "$(tsv_median "$PS" 5)" \
  "$calls_ok" "$cdrs" "$rss_idle" "$peak_rss" "$peak_calls" "$hold_rc" "$REPEATS" "$STEP_SECS" "$RUN_DIR" "$rss_start" \
  "$(tail -n +2 "$CONFIRM_TSV" 2>/dev/null | head -1)" "$FRESH"

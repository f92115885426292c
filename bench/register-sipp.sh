#!/usr/bin/env bash
# Registrar bench (issue 2): SIPp REGISTER with MD5 digest for USERS users
# (10,000) against a real belfry, with Kamailio from the peer kit measured in
# the same run as the reference.
#
# Method: the peer kit's (../shared/bench-peers, lib.sh sourced, its
# reg_auth.xml scenario): per repeat a fresh belfry, one pass registering all
# users at FILL_RATE (RSS before/after → memory per registration), then a rate
# ramp + bisection: a step passes with 0 failed, 0 retransmissions and ≥ 95 %
# of the target rate over STEP_SECS; CPU of belfry's PID from /proc. Median
# of REPEATS. Then `bench-registrar.sh kamailio` with the same knobs.
#
# Memory per registration, at rest as Kamailio's figure is: RSS after the fill
# once the REGISTER transactions have ended (SETTLE_S, 34 s: Timer J is
# 64·T1 = 32 s over UDP, RFC 3261 §17.2.2), minus RSS before, taken
# EMPTY_SETTLE_S (20 s) after start so that start-up garbage (10,000 users
# compiled into the plan) is not inside the delta; over USERS. RSS right after
# the fill (transactions still in Timer J) is reported too
# (`bytesPerRegistrationAtOnce`). The registrar qualifies every binding every
# 60 s (src/main.ts); the kit's SIPp does not answer OPTIONS, which would keep
# one client transaction per contact for Timer F (32 s) every round, so once
# the fill is over a SIPp on the registering port answers them with 200, as
# phones do (bench/sipp/answer-options.xml; Kamailio's registrar from the kit
# sends no OPTIONS). RSS varies by about ±1.5 KB per registration from run to
# run (docs/registrar.md): V8 returns start-up garbage at its own moment.
# GC_BEFORE_SAMPLE=1 makes belfry collect garbage before both samples
# (bench/gc-via-inspector.ts, through the inspector on 127.0.0.1), which
# removes that noise; what stays is live memory plus heap pages the REGISTER
# burst grew and V8 keeps. The V8 heap in use (from belfry's /metrics) is
# sampled beside RSS: its delta (heapBytesPerRegistration) is the live
# JavaScript memory per registration, steadier than RSS, which also counts
# allocator slack and SQLite's page cache (bounded at 2 MiB).
# MARGINAL=1 (the default) registers the users in two halves with an at-rest
# sample after each: the second half's delta over its users is the marginal
# memory per registration (marginalBytesPerRegistration, and its heap part),
# free of the one-time costs the first registrations pay (SQLite's page cache
# filling to its 2 MiB bound, code, heap and allocator growth), which the
# from-empty delta spreads over the users.
# RAMP=0 skips the ramp (memory only).
# belfry's users are extensions 1000001… (belfry extensions are digits; the
# kit's are u000001…), same password formula, HA1s stored in the dialplan.
#
#   bench/register-sipp.sh                              # full: 10,000 users, 3 repeats
#   USERS=300 REG_RATES="100 200" STEP_SECS=2 REPEATS=1 BISECT=0 CONFIRM_SECS=2 \
#     QUIET_MAX_WAIT=1 REFERENCE=1 bench/register-sipp.sh   # smoke check
#   RAMP=0 REFERENCE=0 REPEATS=1 QUIET_MAX_WAIT=5 bench/register-sipp.sh   # memory per registration only
#
# Prints one JSON line (last line of stdout). 127.0.0.1 only; every SIPp run is
# bounded (-m, -timeout, timeout); only PIDs this script started are stopped.
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # (lib.sh sets HERE to its own folder)
source "$BENCH/belfry-lib.sh"
[ -r "$PEERS/lib.sh" ] || { echo "peer kit not found at $PEERS (set PEERS=)" >&2; exit 2; }
command -v sipp > /dev/null || { echo "sipp not found (apt-get install sip-tester)" >&2; exit 2; }
export WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/belfry-bench-reg.XXXXXX")}
export RUN_DIR=${RUN_DIR:-$WORK/results}
source "$PEERS/lib.sh"
USERS=${USERS:-10000}
REALM=${REALM:-bench.local}
FILL_RATE=${FILL_RATE:-1000}
REG_RATES=${REG_RATES:-"1000 2000 4000 6000 8000 10000 12000 14000 17000 20000"}
REFERENCE=${REFERENCE:-1}
RAMP=${RAMP:-1}
SETTLE_S=${SETTLE_S:-34}
EMPTY_SETTLE_S=${EMPTY_SETTLE_S:-20}
GC_BEFORE_SAMPLE=${GC_BEFORE_SAMPLE:-0}
MARGINAL=${MARGINAL:-1}
# With GC_BEFORE_SAMPLE=1 belfry collects its garbage before each at-rest RSS sample (bench/gc-via-inspector.ts).
[ "$GC_BEFORE_SAMPLE" = 1 ] && export NODE_OPTIONS="${NODE_OPTIONS:-} --inspect-port=0"
belfry_gc() {
  [ "$GC_BEFORE_SAMPLE" = 1 ] || return 0
  node --experimental-websocket --import tsx "$BENCH/gc-via-inspector.ts" "$BELFRY_PID" "$RUN_DIR/belfry-registrar-r$REPEAT.log" 2>/dev/null ||
    log "WARNING: could not make belfry collect garbage"
  sleep 1
}
SUT_PORT=${SUT_PORT:-25062}
HTTP_PORT=${HTTP_PORT:-25063}
export USERS REG_RATES STEP_SECS REPEATS BISECT CONFIRM_SECS QUIET_MAX_WAIT QUIET_PCT FILL_RATE
mkdir -p "$WORK" "$RUN_DIR"
ANSWER_PID=""
stop_answer() { [ -n "$ANSWER_PID" ] && { kill "$ANSWER_PID" 2>/dev/null; wait "$ANSWER_PID" 2>/dev/null; }; ANSWER_PID=""; }
trap 'stop_answer; belfry_stop' EXIT

node --import tsx "$BENCH/gen-registrar-config.ts" "$USERS" "$REALM" "$WORK/belfry" > /dev/null || die "config generation failed"
STEPS_TSV=$RUN_DIR/registrar-belfry-steps.tsv
echo "$STEP_HDR" > "$STEPS_TSV"
SUMMARY=$RUN_DIR/registrar-belfry-summary.tsv
echo -e "repeat\tmax_pass_per_s\tfirst_fail_per_s\tcpu_pct_at_max\tcpu_us_per_reg_at_max\trtd_p99_ms_at_max\tregistered_users\trss_kB_empty\trss_kB_filled\trss_kB_at_once\theap_used_kB_empty\theap_used_kB_filled\trss_kB_half\theap_used_kB_half" > "$SUMMARY"
CLIENT_PORT=$REG_PORT
KAM_PORT=$SUT_PORT   # lib.sh counts socket drops on KAM_PORT: here, belfry's
need_ports "$REG_PORT" "$SUT_PORT"
# SIPp puts "sip:" in front of -auth_uri; belfry checks the digest uri against the Request-URI (sip:REALM).
SIPP_ARGS=("127.0.0.1:$SUT_PORT" -sf "$PEERS/sipp/reg_auth.xml" -inf "$WORK/belfry/users.csv"
           -i 127.0.0.1 -p "$REG_PORT" -auth_uri "$REALM" -recv_timeout 5000)

# fill_users CSV COUNT: one registering pass over COUNT users of an injection file.
fill_users() {
  local args=("${SIPP_ARGS[@]}") i
  for i in "${!args[@]}"; do [ "${args[$i]}" = "$WORK/belfry/users.csv" ] && args[$i]=$1; done
  STEP_COUNT=$2 step_run fill "$FILL_RATE" -- "${args[@]}" || log "WARNING: fill step did not pass cleanly"
}
# settle_answering: the phones answer qualify OPTIONS from now on (bounded:
# exits after SETTLE_S + 30 s); RSS right after the fill, then at rest once
# the REGISTER transactions have ended (Timer J), garbage collected.
settle_answering() {
  timeout $((SETTLE_S + 30)) sipp 127.0.0.1:$SUT_PORT -sf "$BENCH/sipp/answer-options.xml" -i 127.0.0.1 -p "$REG_PORT" -nostdin \
    -buff_size 4194304 >> "$RUN_DIR/answer-options-r$REPEAT.log" 2>&1 &
  ANSWER_PID=$!
  sleep 1
  rss_once=$(belfry_rss_kb)
  log "belfry rss right after the fill ${rss0} -> ${rss_once} kB; waiting ${SETTLE_S}s for the transactions to end (Timer J)"
  sleep "$SETTLE_S"
  belfry_gc
}
# The users in two halves for MARGINAL=1 (same header line as the kit's file).
{ head -1 "$WORK/belfry/users.csv"; tail -n +2 "$WORK/belfry/users.csv" | head -n $((USERS / 2)); } > "$WORK/users-1.csv"
{ head -1 "$WORK/belfry/users.csv"; tail -n +2 "$WORK/belfry/users.csv" | tail -n +$((USERS / 2 + 1)); } > "$WORK/users-2.csv"

maxes=""
for REPEAT in $(seq 1 "$REPEATS"); do
  export REPEAT
  rm -rf "$WORK/belfry/data"
  belfry_start "$WORK/belfry/config" "$WORK/belfry/data" "$SUT_PORT" "$HTTP_PORT" "$RUN_DIR/belfry-registrar-r$REPEAT.log" || die "belfry did not start"
  KPIDS=$BELFRY_PID
  # At rest before too: start-up (10,000 users compiled into the plan) leaves
  # garbage that V8 returns to the OS some seconds later, inside the delta.
  sleep "$EMPTY_SETTLE_S"
  belfry_gc
  rss0=$(belfry_rss_kb); heap0=$(belfry_heap_used_kb)
  rss_half=NA heap_half=NA
  if [ "$MARGINAL" = 1 ]; then
    # First half of the users, then the second: the second half's delta is the
    # marginal memory per registration, free of the one-time costs the first
    # registrations pay (SQLite's page cache filling to its bound, code, heap
    # and allocator growth).
    fill_users "$WORK/users-1.csv" $((USERS / 2))
    settle_answering
    rss_half=$(belfry_rss_kb); heap_half=$(belfry_heap_used_kb)
    stop_answer
    log "belfry after the first half: rss ${rss0} -> ${rss_half} kB, V8 heap in use ${heap0} -> ${heap_half} kB"
    fill_users "$WORK/users-2.csv" $((USERS - USERS / 2))
  else
    fill_users "$WORK/belfry/users.csv" "$USERS"
  fi
  settle_answering
  rss1=$(belfry_rss_kb); heap1=$(belfry_heap_used_kb)
  stop_answer
  users=$(sqlite3 "$WORK/belfry/data/belfry.db" 'select count(distinct aor) from bindings' 2>/dev/null || echo NA)
  log "belfry registered users=$users rss ${rss0} -> ${rss1} kB (at rest)"
  lp=NA ff=NA kc=NA ku=NA kp=NA
  if [ "$RAMP" = 1 ]; then
    read -r lp ff <<< "$(ramp register-belfry "$REG_RATES" -- "${SIPP_ARGS[@]}")"
    at=$(awk -F'\t' -v r="$REPEAT" -v lp="$lp" '$1=="register-belfry" && $2==r && $3==lp && $24==1 {c=$13; u=$18; p=$23} END{print (c==""?"NA":c), (u==""?"NA":u), (p==""?"NA":p)}' "$STEPS_TSV")
    read -r kc ku kp <<< "$at"
  fi
  echo -e "$REPEAT\t$lp\t$ff\t$kc\t$ku\t$kp\t$users\t$rss0\t$rss1\t$rss_once\t$heap0\t$heap1\t$rss_half\t$heap_half" >> "$SUMMARY"
  log "belfry registrar repeat $REPEAT: max passing rate $lp/s (first failure at $ff/s)"
  maxes="$maxes $lp"
  belfry_stop
  sleep 2
done

kam_max=null kam_us=null kam_rss0=null kam_rss1=null
if [ "$REFERENCE" = 1 ]; then
  log "reference: the peer kit's Kamailio registrar, same knobs"
  WORK=$WORK/kit bash "$PEERS/bench-registrar.sh" kamailio >&2 || log "WARNING: Kamailio reference failed"
  KS=$RUN_DIR/registrar-summary.tsv
  kam_max=$(tsv_median "$KS" 2); kam_us=$(tsv_median "$KS" 5); kam_rss0=$(tsv_median "$KS" 8); kam_rss1=$(tsv_median "$KS" 11)
fi
b_max=$(tsv_median "$SUMMARY" 2); b_us=$(tsv_median "$SUMMARY" 5); b_rss0=$(tsv_median "$SUMMARY" 8); b_rss1=$(tsv_median "$SUMMARY" 9)
b_rss_once=$(tsv_median "$SUMMARY" 10); b_heap0=$(tsv_median "$SUMMARY" 11); b_heap1=$(tsv_median "$SUMMARY" 12); b_rssh=$(tsv_median "$SUMMARY" 13); b_heaph=$(tsv_median "$SUMMARY" 14)
node -e '
const [bm, bu, r0, r1, km, ku, k0, k1, users, reps, step, dir, registered, rOnce, settle, gcs, h0, h1, rh, hh] = process.argv.slice(1);
const num = (s) => (s === "null" || s === "NA" || s === "" ? null : Number(s));
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const perReg = (a, b) => (num(a) === null || num(b) === null ? null : Math.round(((num(b) - num(a)) * 1024) / Number(users)));
console.log(JSON.stringify({
  bench: "register-sipp", users: Number(users), repeats: Number(reps), stepSecs: Number(step),
  belfry: { maxPerS: num(bm), cpuUsPerReg: num(bu), rssEmptyKb: num(r0), rssFilledKb: num(r1), bytesPerRegistration: perReg(r0, r1), settleSecs: Number(settle), gcBeforeSample: gcs === "1",
    rssAtOnceKb: num(rOnce), bytesPerRegistrationAtOnce: perReg(r0, rOnce), registeredUsers: num(registered),
    heapUsedEmptyKb: num(h0), heapUsedFilledKb: num(h1), heapBytesPerRegistration: perReg(h0, h1),
    rssHalfKb: num(rh), heapUsedHalfKb: num(hh),
    marginalBytesPerRegistration: num(rh) === null ? null : Math.round(((num(r1) - num(rh)) * 1024) / (Number(users) - Math.floor(Number(users) / 2))),
    marginalHeapBytesPerRegistration: num(hh) === null ? null : Math.round(((num(h1) - num(hh)) * 1024) / (Number(users) - Math.floor(Number(users) / 2))) },
  kamailio: { maxPerS: num(km), cpuUsPerReg: num(ku), rssEmptyKb: num(k0), rssFilledKb: num(k1), bytesPerRegistration: perReg(k0, k1) },
  ratio: { rate: ratio(num(bm), num(km)), cpuPerReg: ratio(num(bu), num(ku)) },
  results: dir, date: new Date().toISOString(),
}));' "$b_max" "$b_us" "$b_rss0" "$b_rss1" "$kam_max" "$kam_us" "$kam_rss0" "$kam_rss1" "$USERS" "$REPEATS" "$STEP_SECS" "$RUN_DIR" "$(tsv_median "$SUMMARY" 7)" "$b_rss_once" "$SETTLE_S" "$GC_BEFORE_SAMPLE" "$b_heap0" "$b_heap1" "$b_rssh" "$b_heaph"

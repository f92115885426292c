#!/usr/bin/env bash
# OPTIONS rate of belfry over UDP, driven by SIPp (Debian package sip-tester).
#
# Method (as ../shared/bench-peers): ramp the rate (doubling from START_RATE)
# until a step fails, then bisect BISECT times between the last passing and
# the first failing rate. A step sends RATE*STEP_SECS OPTIONS at RATE/s and
# passes with 0 failed calls, 0 retransmissions and >= MIN_ACHIEVED of the
# target rate. Prints one JSON line and, when RESULT_MD is set, appends a
# markdown table row to that file.
#
#   bench/options-sipp.sh                      # starts bench/stack-target.ts itself
#   SUT_ADDR=127.0.0.1:5060 SUT_PID=1234 bench/options-sipp.sh
#   STEP_SECS=2 START_RATE=500 MAX_RATE=2000 BISECT=1 bench/options-sipp.sh   # quick check
#
# Everything runs on 127.0.0.1; every SIPp run is bounded by -m, by SIPp's
# -timeout and by coreutils timeout. Only the PID this script started is stopped.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SCENARIO="$HERE/sipp/options.xml"
STEP_SECS=${STEP_SECS:-10}
START_RATE=${START_RATE:-1000}
MAX_RATE=${MAX_RATE:-64000}
BISECT=${BISECT:-3}
ROUND=${ROUND:-100}
MIN_ACHIEVED=${MIN_ACHIEVED:-0.95}
SETTLE_SECS=${SETTLE_SECS:-2}
SIPP_BUFF=${SIPP_BUFF:-4194304}
SIPP_PORT=${SIPP_PORT:-25095}
cd "$ROOT"  # node --import tsx resolves tsx from the working directory
WORK=$(mktemp -d "${TMPDIR:-/tmp}/belfry-sipp.XXXXXX")
STARTED_PID=""

command -v sipp >/dev/null || { echo "sipp not found (apt-get install sip-tester)" >&2; exit 2; }

cleanup() {
  if [ -n "$STARTED_PID" ]; then kill "$STARTED_PID" 2>/dev/null || true; wait "$STARTED_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${SUT_ADDR:-}" ]; then
  node --import tsx "$ROOT/bench/stack-target.ts" >"$WORK/target.log" 2>&1 &
  STARTED_PID=$!
  for _ in $(seq 1 200); do
    port=$(grep -o '"udp":[0-9]*' "$WORK/target.log" 2>/dev/null | head -n1 | cut -d: -f2 || true)
    [ -n "${port:-}" ] && break
    sleep 0.1
  done
  [ -n "${port:-}" ] || { echo "stack target did not start" >&2; cat "$WORK/target.log" >&2; exit 1; }
  SUT_ADDR="127.0.0.1:$port"
  SUT_PID=$STARTED_PID
fi
SUT_PID=${SUT_PID:-}

ticks() { [ -n "$SUT_PID" ] && [ -r "/proc/$SUT_PID/stat" ] && sed 's/^.*) //' "/proc/$SUT_PID/stat" | awk '{print $12 + $13}' || echo 0; }

# run_step RATE -> prints "pass|fail achieved failed retrans cpu_us_per_op"
run_step() {
  local rate=$1 count=$(( $1 * STEP_SECS )) stat="$WORK/stat-$1.csv" t0 t1 c0 c1 rc=0
  rm -f "$stat"
  c0=$(ticks); t0=$(date +%s.%N)
  timeout $(( STEP_SECS * 3 + 30 )) sipp "$SUT_ADDR" -sf "$SCENARIO" -i 127.0.0.1 -p "$SIPP_PORT" -t u1 \
    -r "$rate" -m "$count" -l $(( rate * 6 + 100 )) -buff_size "$SIPP_BUFF" \
    -timeout $(( STEP_SECS * 2 + 20 ))s -timeout_error -nostdin \
    -trace_stat -stf "$stat" -fd 1 >/dev/null 2>"$WORK/sipp.err" || rc=$?
  t1=$(date +%s.%N); c1=$(ticks)
  local ok=0 fail=0 retr=0
  if [ -s "$stat" ]; then
    read -r ok fail retr < <(awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="SuccessfulCall(C)")s=i;if($i=="FailedCall(C)")f=i;if($i=="Retransmissions(C)")r=i}} NR>1{a=$s;b=$f;c=$r} END{print a+0, b+0, c+0}' "$stat")
  fi
  local achieved cpu verdict
  achieved=$(awk -v n="$ok" -v a="$t0" -v b="$t1" 'BEGIN{printf "%d", n/(b-a)}')
  cpu=$(awk -v d="$((c1 - c0))" -v n="$ok" -v hz="$(getconf CLK_TCK)" 'BEGIN{if(n>0) printf "%.1f", d/hz*1e6/n; else print 0}')
  verdict=fail
  if [ "$rc" -eq 0 ] && [ "$fail" -eq 0 ] && [ "$retr" -eq 0 ] && [ "$ok" -eq "$count" ] && \
     awk -v a="$achieved" -v r="$rate" -v m="$MIN_ACHIEVED" 'BEGIN{exit !(a >= r*m)}'; then verdict=pass; fi
  echo "$verdict $achieved $fail $retr $cpu"
}

best=0 best_cpu=0 first_fail=0 steps=0
rate=$START_RATE
while [ "$rate" -le "$MAX_RATE" ]; do
  read -r v a f r c < <(run_step "$rate"); steps=$((steps + 1))
  echo "step rate=$rate $v achieved=$a failed=$f retrans=$r cpu_us_per_op=$c" >&2
  if [ "$v" = pass ]; then best=$rate; best_cpu=$c; sleep "$SETTLE_SECS"; rate=$((rate * 2)); else first_fail=$rate; sleep $((SETTLE_SECS * 2)); break; fi
done
if [ "$first_fail" -gt 0 ]; then
  lo=$best hi=$first_fail
  for _ in $(seq 1 "$BISECT"); do
    mid=$(( (lo + hi) / 2 / ROUND * ROUND ))
    [ "$mid" -le "$lo" ] && break
    read -r v a f r c < <(run_step "$mid"); steps=$((steps + 1))
    echo "step rate=$mid $v achieved=$a failed=$f retrans=$r cpu_us_per_op=$c" >&2
    if [ "$v" = pass ]; then lo=$mid; best=$mid; best_cpu=$c; sleep "$SETTLE_SECS"; else hi=$mid; sleep $((SETTLE_SECS * 2)); fi
  done
fi

json=$(printf '{"bench":"sip-options-udp-sipp","sut":"%s","max_rate_zero_failures":%d,"cpu_us_per_options":%s,"step_secs":%d,"steps":%d,"first_failing_rate":%d,"date":"%s"}' \
  "$SUT_ADDR" "$best" "$best_cpu" "$STEP_SECS" "$steps" "$first_fail" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
echo "$json"
if [ -n "${RESULT_MD:-}" ]; then
  printf '| OPTIONS over UDP (SIPp) | %s /s | %s µs CPU each | step %ss, %d steps | %s |\n' "$best" "$best_cpu" "$STEP_SECS" "$steps" "$(date -u +%Y-%m-%d)" >>"$RESULT_MD"
fi

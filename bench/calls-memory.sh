#!/usr/bin/env bash
# Memory after a burst of calls (docs/benchmarks.md, "Memory after overload"):
# one belfry on bench/config/calls, the peer kit's SIPp UAC and UAS, one
# burst of CALLS calls at RATE/s (no media; an overload when RATE is above
# what the machine carries), then belfry's RSS and V8 heap in use sampled
# until SAMPLE_S seconds after the burst. Shows how much of the RSS after a
# burst is state (transactions and calls of the last 32 s) and how long V8
# takes to give the rest back.
#
#   bench/calls-memory.sh                          # 2,000/s x 10 s (overload here)
#   RATE=600 CALLS=12000 bench/calls-memory.sh     # no overload
#   NODE_OPTIONS=--max-old-space-size=384 bench/calls-memory.sh
#
# Prints one JSON line (last line of stdout). 127.0.0.1 only; SIPp runs are
# bounded; only PIDs this script started are stopped.
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$BENCH/belfry-lib.sh"
command -v sipp > /dev/null || { echo "sipp not found (apt-get install sip-tester)" >&2; exit 2; }
[ -r "$PEERS/sipp/uac_rr.xml" ] || { echo "peer kit not found at $PEERS (set PEERS=)" >&2; exit 2; }
RATE=${RATE:-2000}
CALLS=${CALLS:-20000}
SAMPLE_S=${SAMPLE_S:-90}
SUT_PORT=${SUT_PORT:-25062}
export HTTP_PORT=${HTTP_PORT:-25063}
UAS_PORT=${UAS_PORT:-25080}
UAC_PORT=${UAC_PORT:-25081}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/belfry-bench-mem.XXXXXX")}
UAS_PID=""
cleanup() {
  [ -n "$UAS_PID" ] && { kill "$UAS_PID" 2>/dev/null; wait "$UAS_PID" 2>/dev/null; }
  belfry_stop
}
trap cleanup EXIT
cp -r "$BENCH/config/calls" "$WORK/belfry-config"
sed -i "s/port: 25080/port: $UAS_PORT/" "$WORK/belfry-config/dialplan/plan.yaml"
belfry_start "$WORK/belfry-config" "$WORK/data" "$SUT_PORT" "$HTTP_PORT" "$WORK/belfry.log" || exit 1
sipp -sf "$PEERS/sipp/uas_rr.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin -buff_size 4194304 \
  -timeout "$((CALLS / RATE + SAMPLE_S + 120))s" > "$WORK/uas.out" 2>&1 &
UAS_PID=$!
sleep 2
samples=""
sample() {  # LABEL
  local rss heap
  rss=$(belfry_rss_kb); heap=$(belfry_heap_used_kb)
  blog "$1: RSS $rss kB, V8 heap in use $heap kB"
  samples="$samples${samples:+,}{\"at\":\"$1\",\"rssKb\":$rss,\"heapUsedKb\":${heap/NA/null}}"
}
sample before
timeout "$((CALLS / RATE + 90))" sipp "127.0.0.1:$SUT_PORT" -sf "$PEERS/sipp/uac_rr.xml" -s bench -i 127.0.0.1 -p "$UAC_PORT" \
  -d 0 -recv_timeout 5000 -r "$RATE" -m "$CALLS" -nostdin -buff_size 4194304 -trace_stat -stf "$WORK/uac.csv" > "$WORK/uac.out" 2>&1
ok=$(tail -1 "$WORK/uac.csv" | cut -d';' -f16)
failed=$(tail -1 "$WORK/uac.csv" | cut -d';' -f18)
blog "burst done: $ok calls completed, $failed failed"
sample "t+0"
t=0
while [ "$t" -lt "$SAMPLE_S" ]; do
  sleep 10; t=$((t + 10)); sample "t+$t"
done
echo "{\"bench\":\"calls-memory\",\"rate\":$RATE,\"calls\":$CALLS,\"completed\":${ok:-null},\"failed\":${failed:-null},\"nodeOptions\":\"${NODE_OPTIONS:-}\",\"samples\":[$samples]}"

# shellcheck shell=bash
# Shared helpers for the SIPp benches (sourced): start a real belfry from a
# config folder on fixed loopback ports, read its CPU ticks and RSS from
# /proc, stop it by the PID we started. No pkill/killall anywhere.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PEERS=${PEERS:-$ROOT/../shared/bench-peers}   # the peer kit (Kamailio + SIPp), see docs/benchmarks.md
BELFRY_PID=""

blog() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# belfry_start CONFIG_DIR DATA_DIR SIP_PORT HTTP_PORT LOGFILE
belfry_start() {
  local cfg=$1 data=$2 sport=$3 hport=$4 logf=$5 i
  mkdir -p "$data"
  BELFRY_API_TOKEN=bench-token-0123456789abcdef "$ROOT/bin/belfry" start --config "$cfg" --data-dir "$data" \
    --sip-host 127.0.0.1 --sip-port "$sport" --http-port "$hport" > "$logf" 2>&1 &
  BELFRY_PID=$!
  for i in $(seq 1 100); do
    curl -fs -H 'authorization: Bearer bench-token-0123456789abcdef' "http://127.0.0.1:$hport/api/v1/registrations" > /dev/null 2>&1 && break
    kill -0 "$BELFRY_PID" 2>/dev/null || { tail -20 "$logf" >&2; blog "belfry did not start"; return 1; }
    sleep 0.2
  done
  blog "belfry started: pid $BELFRY_PID, SIP 127.0.0.1:$sport, API :$hport"
}
belfry_stop() {
  [ -n "$BELFRY_PID" ] || return 0
  local i
  kill "$BELFRY_PID" 2>/dev/null
  for i in $(seq 1 50); do kill -0 "$BELFRY_PID" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$BELFRY_PID" 2>/dev/null && kill -9 "$BELFRY_PID" 2>/dev/null
  wait "$BELFRY_PID" 2>/dev/null
  blog "belfry $BELFRY_PID stopped"
  BELFRY_PID=""
}
belfry_rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$BELFRY_PID/status" 2>/dev/null || echo 0; }
belfry_api() {  # PORT PATH
  curl -fs -H 'authorization: Bearer bench-token-0123456789abcdef' "http://127.0.0.1:$1$2"
}
# median of column COL (1-based) of a TSV with a header line, over rows whose value is numeric
tsv_median() {
  awk -F'\t' -v c="$2" 'NR > 1 && $c ~ /^[0-9.]+$/ { print $c }' "$1" 2>/dev/null | sort -n |
    awk '{a[NR]=$1} END{ if (NR==0) print "null"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}
# V8 heap in use (kB) from belfry's /metrics (prom-client default metrics); NA when unreachable.
belfry_heap_used_kb() {
  curl -fs -H 'authorization: Bearer bench-token-0123456789abcdef' "http://127.0.0.1:${HTTP_PORT:-25063}/metrics" 2>/dev/null |
    awk '$1 == "belfry_process_nodejs_heap_size_used_bytes" { printf "%d\n", $2 / 1024; found = 1 } END { if (!found) print "NA" }'
}

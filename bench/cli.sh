#!/usr/bin/env bash
# How fast the puna command answers, next to the JVM's own start: `java -version`, `./puna --version`, and
# `./puna list|ps|show` against a running `puna serve --demo`, each RUNS times (default 20), median and p90 of the
# wall time, with the AOT caches (scripts/aot-cache.sh; built here when missing) and without (PUNA_AOT=0). Then the
# server: time from `./puna serve` to listening and the time to first token of the first and second streamed
# /v1/completions requests, SERVE_RUNS times (default 3) with and without the server's AOT cache.
#   bench/cli.sh                  RUNS=n SERVE_RUNS=n to override
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
. bench/lib.sh
bench_build_jars
runs=${RUNS:-20}
serve_runs=${SERVE_RUNS:-3}
if [ "${PUNA_JDK_MAJOR:-0}" -ge 25 ] && { [ ! -f cli/target/aot/client.aot ] || [ ! -f cli/target/aot/serve.aot ] \
     || [ -n "$(find cli/target/puna-cli.jar cli/target/lib -newer cli/target/aot/client.aot -name '*.jar' -print -quit)" ]; }; then
  scripts/aot-cache.sh
fi
work=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# serve LOG: starts ./puna serve --demo on a free loopback port over a fresh store; sets $server and $base.
serve() {
  rm -rf "$work/models"
  PUNA_HOST=127.0.0.1:0 PUNA_MODELS="$work/models" PUNA_DATA_DIR="$work/data" \
    PUNA_DATABASE_URL="sqlite:$work/puna.db" ./puna serve --demo >"$1" 2>&1 &
  server=$!
  for _ in $(seq 1200); do
    base=$(sed -n 's|^puna: listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$1" | head -n 1)
    [ -n "$base" ] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.05
  done
  cat "$1" >&2; echo "bench: puna serve did not start" >&2; exit 1
}

now_ms() { local t; t=$(date +%s%N); echo $(( t / 1000000 )); }

# stats MS...: "median p90" of the numbers
stats() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9+0.999); printf "%d %d\n", a[int((NR+1)/2)], a[i]}'
}

# timed N CMD...: wall times in ms of N runs (the command must succeed)
timed() {
  local n=$1 s e out=(); shift
  for _ in $(seq "$n"); do
    s=$(now_ms); "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; e=$(now_ms)
    out+=($(( e - s )))
  done
  stats "${out[@]}"
}

serve "$work/serve.log"
export PUNA_HOST=${base#http://}
curl -sf -o /dev/null -d '{"model":"puna-demo","prompt":"hi","stream":false,"options":{"num_predict":1}}' "$base/api/generate"

printf '\n%-26s %18s %18s\n' "command ($runs runs)" "AOT cache: p50/p90" "no cache: p50/p90"
row() { # label CMD...
  local label=$1; shift
  read -r a b < <(timed "$runs" "$@")
  read -r c d < <(PUNA_AOT=0 timed "$runs" "$@")
  printf '%-26s %12s ms %12s ms\n' "$label" "$a / $b" "$c / $d"
}
read -r a b < <(timed "$runs" "$JAVA_HOME/bin/java" -version)
printf '%-26s %12s ms %15s\n' "java -version" "$a / $b" "(JDK $PUNA_JDK_MAJOR)"
row "puna --version (no cache)" ./puna --version
row "puna list" ./puna list
row "puna ps" ./puna ps
row "puna show puna-demo" ./puna show puna-demo
stop_server
unset PUNA_HOST

# The server: start to listening, then TTFT of the first and the second request (curl's time to first byte of a
# streamed completion is the first token's event).
ttft() {
  curl -sf -o /dev/null -w '%{time_starttransfer}' -H 'Content-Type: application/json' \
    -d '{"model":"puna-demo","prompt":"Once upon a time","max_tokens":16,"stream":true}' "$base/v1/completions" \
    | awk '{printf "%d\n", $1 * 1000}'
}
printf '\n%-30s %14s %14s\n' "puna serve ($serve_runs runs, median)" "AOT cache" "no cache"
declare -A res
for mode in 1 0; do
  up=(); first=(); second=()
  for _ in $(seq "$serve_runs"); do
    s=$(now_ms); PUNA_AOT=$mode serve "$work/serve-$mode.log"; e=$(now_ms); up+=($(( e - s )))
    first+=("$(ttft)"); second+=("$(ttft)")
    stop_server
  done
  read -r res[up$mode] _ < <(stats "${up[@]}")
  read -r res[first$mode] _ < <(stats "${first[@]}")
  read -r res[second$mode] _ < <(stats "${second[@]}")
done
printf '%-30s %11s ms %11s ms\n' "start to listening" "${res[up1]}" "${res[up0]}"
printf '%-30s %11s ms %11s ms\n' "TTFT, first request" "${res[first1]}" "${res[first0]}"
printf '%-30s %11s ms %11s ms\n' "TTFT, second request" "${res[second1]}" "${res[second0]}"
echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"

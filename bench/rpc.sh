#!/usr/bin/env bash
# Decode over llama.cpp's RPC backend, side by side in one run: `puna generate` on the generated ~126 MiB random
# Q8_0 bench model with every layer local, then with its layers split over two rpc-server workers on loopback
# ports (--rpc), interleaved; llama-bench's tg figure for both cases when build/bench has it (bench/decode.sh
# builds it). Loopback workers measure the protocol's cost, not a network's.
#   bench/rpc.sh [tokens=128] [runs=3]      THREADS=n for the local thread count (default: all cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
tokens=${1:-128}
runs=${2:-3}
threads=${THREADS:-$(nproc)}
mkdir -p bench/out

. bench/lib.sh
bench_build_jars
export PUNA_REBUILD=0 # built once above; ./puna must not rebuild on every run
model=$(bench_model)
libs="$root/build/native/cpu/bin"
rpc_server="$libs/rpc-server"
[ -x "$rpc_server" ] || { echo "bench: $rpc_server missing; build with ./mvnw install" >&2; exit 1; }

free_port() { # a random unused loopback port
  local p
  while p=$(shuf -i 20000-60000 -n 1); (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do :; done
  echo "$p"
}
p1=$(free_port); p2=$(free_port)
# Each worker gets half the cores: together they use what the local run uses.
half=$(( threads > 1 ? threads / 2 : 1 ))
"$rpc_server" -H 127.0.0.1 -p "$p1" -t "$half" >bench/out/rpc-$p1.log 2>&1 & w1=$!
"$rpc_server" -H 127.0.0.1 -p "$p2" -t "$half" >bench/out/rpc-$p2.log 2>&1 & w2=$!
trap 'kill $w1 $w2 2>/dev/null || true' EXIT
for p in "$p1" "$p2"; do
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
workers="127.0.0.1:$p1,127.0.0.1:$p2"

gen() { # $@: extra flags; prints tok/s
  PUNA_LIBRARY_PATH="$libs" ./puna generate --model "$model" --prompt Hello --n "$tokens" --temp 0 \
      --threads "$threads" --ctx 512 "$@" 2>&1 >/dev/null | grep '^eval:' | sed -E 's/.* ([0-9.]+) tok\/s/\1/'
}
local_ts=(); rpc_ts=()
for _ in $(seq "$runs"); do
  local_ts+=("$(gen)")
  rpc_ts+=("$(gen --rpc "$workers")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
lm=$(median "${local_ts[@]}"); rm_=$(median "${rpc_ts[@]}")

printf '\n%-34s %s\n' "model" "$model"
printf '%-34s %s tok/s (median %s)\n' "puna generate, local" "${local_ts[*]}" "$lm"
printf '%-34s %s tok/s (median %s)\n' "puna generate, 2 loopback workers" "${rpc_ts[*]}" "$rm_"
awk -v r="$rm_" -v l="$lm" 'BEGIN {printf "%-34s %.3f\n", "ratio rpc / local", r / l}'
if [ -x build/bench/bin/llama-bench ]; then
  for rpc in "" "$workers"; do
    lb=$(build/bench/bin/llama-bench -m "$model" -p 0 -n "$tokens" -t "$threads" -r "$runs" -o json ${rpc:+-rpc "$rpc"})
    printf '%-34s %.2f tok/s\n' "llama-bench tg$tokens${rpc:+, 2 loopback workers}" \
      "$(printf '%s' "$lb" | "$JAVA_HOME/bin/java" bench/JsonField.java avg_ts)"
  done
fi

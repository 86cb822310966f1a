#!/usr/bin/env bash
# Single-stream decode, side by side in one run: llama.cpp's llama-bench (tg, -p 0) and `puna generate`, both on
# the libraries of one llama.cpp build (build/bench, the pinned source with llama.cpp's tools), on the generated
# ~126 MiB random Q8_0 model, with the same thread count. Prints both figures and their ratio.
#   bench/decode.sh [tokens=128] [runs=3]      THREADS=n to override the thread count (default: all cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
tokens=${1:-128}
runs=${2:-3}
threads=${THREADS:-$(nproc)}
out=bench/out
mkdir -p "$out"

. bench/lib.sh
bench_build_tools
bench_build_jars
export PUNA_REBUILD=0 # built once above; ./puna must not rebuild on every run
model=$(bench_model)

echo "llama-bench: -p 0 -n $tokens -t $threads -r $runs" >&2
lb=$(build/bench/bin/llama-bench -m "$model" -p 0 -n "$tokens" -t "$threads" -r "$runs" -o json)
lb_ts=$(printf '%s' "$lb" | "$JAVA_HOME/bin/java" bench/JsonField.java avg_ts)
lb_sd=$(printf '%s' "$lb" | "$JAVA_HOME/bin/java" bench/JsonField.java stddev_ts)

puna_ts=()
for i in $(seq "$runs"); do
  line=$(PUNA_LIBRARY_PATH="$root/build/bench/bin" ./puna generate --model "$model" --prompt Hello --n "$tokens" \
           --temp 0 --threads "$threads" --ctx 512 2>&1 >/dev/null | grep '^eval:')
  puna_ts+=("$(printf '%s' "$line" | sed -E 's/.* ([0-9.]+) tok\/s/\1/')")
done

printf '\n%-28s %s\n' "model" "$model"
printf '%-28s %.2f ± %.2f tok/s\n' "llama-bench tg$tokens" "$lb_ts" "$lb_sd"
printf '%-28s %s tok/s\n' "puna generate ($runs runs)" "${puna_ts[*]}"
median=$(printf '%s\n' "${puna_ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
awk -v p="$median" -v l="$lb_ts" 'BEGIN {printf "%-28s %.3f (median puna / llama-bench)\n", "ratio", p / l}'

#!/usr/bin/env bash
# The prompt cache across a restart: the second-turn TTFT of conversations with a 1,500-token history
# (bench/src/main/java/dev/puna/bench/RestartBench.java, OpenAI /v1/completions, streamed) when the server was
# restarted between the two turns, next to the same TTFT without a restart. Runs `puna serve` with its disk cache
# (PUNA_CACHE_DISK, in a throwaway data directory) and, for reference, with PUNA_CACHE_DISK=0 (what a server that
# re-evaluates the whole history pays); with LLAMA=1, also llama-server (build/bench, built on first use), which
# re-evaluates the history after a restart too. Same model, threads, slots and per-slot context for all.
#   bench/restart.sh [RestartBench options, e.g. --conversations 6 --history 1500]
#                    THREADS=n PARALLEL=n CTX=n LLAMA=1 to override (defaults: all cores, 4 slots, 4096 tokens)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
threads=${THREADS:-$(nproc)}
parallel=${PARALLEL:-4}
ctx=${CTX:-4096}
port=${PUNA_PORT:-18084}
llama_port=${LLAMA_PORT:-18085}
out=bench/out/restart
mkdir -p "$out"

. bench/lib.sh
if [ "${LLAMA:-0}" = 1 ]; then
  bench_build_tools
  export PUNA_LIBRARY_PATH="$root/build/bench/bin" # both servers on the very same llama.cpp binaries
fi
bench_build_jars
model=$(bench_model)

pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

bench() { # url phase [state]
  "$JAVA_HOME/bin/java" -cp "bench/target/puna-bench.jar:cli/target/lib/*" dev.puna.bench.RestartBench \
    --url "$1" --model bench --phase "$2" ${3:+--state "$3"} "${@:4}" | sed -n 's/^ttft_ms //p'
}

# puna serve on $out/$1 (its data directory and store), the disk cache $2 bytes; a clean stop (SIGTERM) between
# runs, which is when the slots' conversations are written.
puna_start() {
  PUNA_HOST="127.0.0.1:$port" PUNA_MODELS="$root/$out/$1/models" PUNA_DATA_DIR="$root/$out/$1" \
    PUNA_NUM_PARALLEL="$parallel" PUNA_CONTEXT_LENGTH="$ctx" PUNA_NUM_THREAD="$threads" PUNA_KEEP_ALIVE=-1 \
    PUNA_CACHE_DISK="$2" ./puna serve >> "$out/$1/puna-serve.log" 2>&1 &
  pid=$!
  wait_for "http://127.0.0.1:$port/api/version"
}
puna_stop() {
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

puna_run() { # name disk-bytes extra-options...
  local name=$1 disk=$2
  shift 2
  rm -rf "${out:?}/$name"
  mkdir -p "$out/$name"
  puna_start "$name" "$disk"
  printf 'FROM %s\n' "$model" > "$out/$name/Modelfile"
  PUNA_HOST="127.0.0.1:$port" ./puna create bench -f "$out/$name/Modelfile" >&2
  local url="http://127.0.0.1:$port"
  echo "puna ($name) no restart, second turn: $(bench "$url" turn "" --seed 1 "$@")"
  echo "puna ($name) first turns:             $(bench "$url" first "$out/$name/turns.json" "$@")"
  puna_stop
  puna_start "$name" "$disk"
  echo "puna ($name) after restart, second turn: $(bench "$url" second "$out/$name/turns.json" "$@")"
  puna_stop
  echo "puna ($name) files in kv-cache: $(ls "$out/$name/kv-cache" 2>/dev/null | wc -l), $(du -sh "$out/$name/kv-cache" 2>/dev/null | cut -f1)"
}

echo "bench: puna serve (PUNA_NUM_PARALLEL=$parallel, num_ctx $ctx, $threads threads) on :$port" >&2
puna_run disk 8GiB "$@"
puna_run nodisk 0 "$@"

if [ "${LLAMA:-0}" = 1 ]; then
  llama_start() {
    build/bench/bin/llama-server -m "$model" --alias bench -t "$threads" -tb "$threads" -np "$parallel" \
      -c $((ctx * parallel)) --no-kv-unified -b 512 -ub 512 --host 127.0.0.1 --port "$llama_port" --no-webui \
      >> "$out/llama-server.log" 2>&1 &
    pid=$!
    wait_for "http://127.0.0.1:$llama_port/health"
  }
  url="http://127.0.0.1:$llama_port"
  llama_start
  echo "llama-server no restart, second turn:    $(bench "$url" turn "" --seed 1 "$@")"
  echo "llama-server first turns:                $(bench "$url" first "$out/llama-turns.json" "$@")"
  puna_stop
  llama_start
  echo "llama-server after restart, second turn: $(bench "$url" second "$out/llama-turns.json" "$@")"
  puna_stop
fi

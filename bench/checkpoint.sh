#!/usr/bin/env bash
# Checkpoints on a sliding-window model (bench/src/main/java/dev/puna/bench/CheckpointBench.java): the TTFT of a
# first prompt (which pauses for a checkpoint), of the same prompt answered again after a long turn (which a
# window-sized cache cannot continue without one) and of an edited last user message on the chat route, with the
# prompt tokens evaluated. Side by side on the generated Gemma 3-shaped model (testkit SlidingWindowModel.bench():
# window 512, 10 of 12 layers sliding): llama-server (its context checkpoints on, as by default), `puna serve`
# (checkpoints: PUNA_CACHE_RAM on, as by default) and `puna serve` with PUNA_CACHE_RAM=0 (no checkpoints: what
# re-evaluating the prompt costs). One slot each, the same threads and context, both servers on the libraries of one llama.cpp build (build/bench).
#   bench/checkpoint.sh [CheckpointBench options, e.g. --rounds 5 --history 1500 --turn 1200]
#                       THREADS=n CTX=n to override (defaults: all cores, 4096 tokens)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
threads=${THREADS:-$(nproc)}
ctx=${CTX:-4096}
llama_port=${LLAMA_PORT:-18086}
puna_port=${PUNA_PORT:-18087}
nocache_port=${PUNA_NOCACHE_PORT:-18088}
out=bench/out/checkpoint
mkdir -p "$out"

. bench/lib.sh
bench_build_tools
bin="$root/build/bench/bin"
bench_build_jars
model=$("$JAVA_HOME/bin/java" -cp "cli/target/puna-cli.jar:cli/target/lib/*" dev.puna.testkit.WriteBenchModel \
  "$root/bench/out" swa)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "bench: llama-server -t $threads -np 1 -c $ctx on :$llama_port" >&2
"$bin/llama-server" -m "$model" --alias bench -t "$threads" -tb "$threads" -np 1 -c "$ctx" -b 512 -ub 512 \
  --host 127.0.0.1 --port "$llama_port" --no-webui > "$out/llama-server.log" 2>&1 &
pids+=($!)

puna_start() { # name port cache-ram
  rm -rf "${out:?}/$1"
  mkdir -p "$out/$1"
  PUNA_LIBRARY_PATH="$bin" PUNA_HOST="127.0.0.1:$2" PUNA_MODELS="$root/$out/$1/models" \
    PUNA_DATA_DIR="$root/$out/$1" PUNA_CACHE_RAM="$3" PUNA_CACHE_DISK=0 \
    PUNA_NUM_PARALLEL=1 PUNA_CONTEXT_LENGTH="$ctx" PUNA_NUM_THREAD="$threads" PUNA_KEEP_ALIVE=-1 \
    ./puna serve > "$out/$1/puna-serve.log" 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$2/api/version"
  printf 'FROM %s\n' "$model" > "$out/$1/Modelfile"
  PUNA_HOST="127.0.0.1:$2" ./puna create bench -f "$out/$1/Modelfile" >&2
  curl -sf "http://127.0.0.1:$2/api/generate" -d '{"model":"bench","keep_alive":-1}' >/dev/null
}
echo "bench: puna serve (one slot, num_ctx $ctx, $threads threads) on :$puna_port," \
  "without its host-RAM cache on :$nocache_port" >&2
puna_start cache "$puna_port" 1GiB
puna_start nocache "$nocache_port" 0
wait_for "http://127.0.0.1:$llama_port/health"

"$JAVA_HOME/bin/java" -cp "bench/target/puna-bench.jar:cli/target/lib/*" dev.puna.bench.CheckpointBench \
  --server "llama-server=http://127.0.0.1:$llama_port" --server "puna=http://127.0.0.1:$puna_port" \
  --server "puna-no-cache=http://127.0.0.1:$nocache_port" --model bench "$@"

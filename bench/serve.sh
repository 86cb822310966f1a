#!/usr/bin/env bash
# The serving benchmark: llama.cpp's llama-server and `puna serve`, both on the libraries of one llama.cpp build
# (build/bench: the pinned source plus llama.cpp's tools), the generated ~126 MiB random Q8_0 model, the same
# threads, parallel slots and per-slot context, driven side by side in one run by the same load generator
# (bench/src/main/java/dev/puna/bench/ServeBench.java) over the same OpenAI routes (/v1/chat/completions and
# /v1/completions), after one warm-up request. Prints every figure of both servers and the ratio
# Puna / llama-server as a Markdown table.
#   bench/serve.sh [ServeBench options, e.g. --quick, --runs 15, --only decode,turn, --routes chat, --warmup 24]
#                             THREADS=n PARALLEL=n CTX=n to override (defaults: all cores, 32 slots, 2048 tokens)
#   BENCH_BIN=dir: llama-server and the libraries from an existing build (e.g. a CUDA one) instead of build/bench;
#   BENCH_MODEL=file: that model instead of the generated one; LLAMA_ARGS: more llama-server flags (e.g. -ngl 999)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
threads=${THREADS:-$(nproc)}
parallel=${PARALLEL:-32}
ctx=${CTX:-2048}
llama_port=${LLAMA_PORT:-18081}
puna_port=${PUNA_PORT:-18082}
out=bench/out
mkdir -p "$out"

. bench/lib.sh
bin=${BENCH_BIN:-}
if [ -z "$bin" ]; then
  bench_build_tools
  bin="$root/build/bench/bin"
fi
bench_build_jars
model=${BENCH_MODEL:-$(bench_model)}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "bench: llama-server -t $threads -np $parallel -c $((ctx * parallel)) on :$llama_port" >&2
# shellcheck disable=SC2086 # LLAMA_ARGS is a list of flags
"$bin/llama-server" -m "$model" --alias bench -t "$threads" -tb "$threads" -np "$parallel" \
  -c $((ctx * parallel)) --no-kv-unified -b 512 -ub 512 --host 127.0.0.1 --port "$llama_port" --no-webui \
  ${LLAMA_ARGS:-} > "$out/llama-server.log" 2>&1 &
pids+=($!)
llama_pid=$!

puna_jvm serve
case " ${PUNA_JVM[*]} " in *" -XX:AOTCache="*) aot="with its AOT cache" ;; *) aot="without an AOT cache" ;; esac
echo "bench: puna serve (PUNA_NUM_PARALLEL=$parallel, num_ctx $ctx, $threads threads, $aot) on :$puna_port" >&2
# A data directory of the run's own: the prompt cache on disk (PUNA_CACHE_DISK) must not answer this run's
# prompts from an earlier run's.
rm -rf "$out/models" "$out/data"
PUNA_LIBRARY_PATH="$bin" PUNA_HOST="127.0.0.1:$puna_port" PUNA_MODELS="$root/$out/models" \
  PUNA_DATA_DIR="$root/$out/data" \
  PUNA_NUM_PARALLEL="$parallel" PUNA_CONTEXT_LENGTH="$ctx" PUNA_NUM_THREAD="$threads" PUNA_KEEP_ALIVE=-1 \
  ./puna serve > "$out/puna-serve.log" 2>&1 &
pids+=($!)
puna_pid=$! # ./puna execs the JVM, so this is the server itself (not another puna on a shared machine)
wait_for "http://127.0.0.1:$llama_port/health"
wait_for "http://127.0.0.1:$puna_port/api/version"
printf 'FROM %s\n' "$model" > "$out/Modelfile"
PUNA_HOST="127.0.0.1:$puna_port" ./puna create bench -f "$out/Modelfile" >&2
# llama-server loads its model before it answers /health; Puna loads one on its first request, so that is done
# here (Ollama's load-only request: no prompt), and the bench's first request finds both models loaded.
curl -sf "http://127.0.0.1:$puna_port/api/generate" -d '{"model":"bench","keep_alive":-1}' >/dev/null

"$JAVA_HOME/bin/java" -cp "bench/target/puna-bench.jar:cli/target/lib/*" dev.puna.bench.ServeBench \
  --server "llama-server=http://127.0.0.1:$llama_port" --server "puna=http://127.0.0.1:$puna_port" \
  --pid "llama-server=$llama_pid" --pid "puna=$puna_pid" --model bench --model-file "$model" --threads "$threads" "$@"

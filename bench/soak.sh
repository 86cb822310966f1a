#!/usr/bin/env bash
# A bounded soak of `puna serve` on the generated ~126 MiB benchmark model: CLIENTS concurrent clients (default 32)
# for WARMUP (default 60) + SECONDS_RUN (default 300) seconds mixing Ollama generate/chat and OpenAI chat/completions, streaming and not, with one
# stream in five abandoned mid-way (bench/src/main/java/dev/puna/bench/Soak.java). Passes with zero 5xx, every
# slot free afterwards (/metrics) and server RSS growth under 5% from the end of the warm-up load to the end. The
# host-RAM prompt cache is capped at 256 MiB (PUNA_CACHE_RAM) so that it is full before the baseline is taken.
#   bench/soak.sh        CLIENTS=n WARMUP=n SECONDS_RUN=n PARALLEL=n (default 8 slots, so requests also queue) CTX=n
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
clients=${CLIENTS:-32}
seconds=${SECONDS_RUN:-300}
warmup=${WARMUP:-60}
parallel=${PARALLEL:-8}
ctx=${CTX:-2048}
port=${PUNA_PORT:-18083}
out=bench/out
mkdir -p "$out"

. bench/lib.sh
bench_build_tools
bench_build_jars
model=$(bench_model)

rm -rf "$out/soak-models" "$out/soak-data" # the data dir (prompt cache on disk) is the run's own
PUNA_LIBRARY_PATH="$root/build/bench/bin" PUNA_HOST="127.0.0.1:$port" PUNA_MODELS="$root/$out/soak-models" \
  PUNA_DATA_DIR="$root/$out/soak-data" \
  PUNA_NUM_PARALLEL="$parallel" PUNA_CONTEXT_LENGTH="$ctx" PUNA_KEEP_ALIVE=-1 PUNA_CACHE_RAM=256MiB \
  ./puna serve > "$out/soak-serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/api/version" >/dev/null 2>&1 && break; sleep 0.2; done
pid=$(pgrep -f "dev.puna.cli.Main serve" | head -1)
printf 'FROM %s\n' "$model" > "$out/Modelfile"
PUNA_HOST="127.0.0.1:$port" ./puna create bench -f "$out/Modelfile" >/dev/null
echo "soak: $clients clients for ${warmup}s + ${seconds}s against puna serve (pid $pid, $parallel slots)" >&2
"$JAVA_HOME/bin/java" -cp "bench/target/puna-bench.jar:cli/target/lib/*" dev.puna.bench.Soak \
  --url "http://127.0.0.1:$port" --model bench --pid "$pid" --clients "$clients" --warmup "$warmup" --seconds "$seconds"

#!/usr/bin/env bash
# The stateful APIs' benchmark: `puna serve` on the generated ~126 MiB random Q8_0 model, driven by
# bench/src/main/java/dev/puna/bench/StatefulBench.java: a streamed Assistants run next to a streamed chat completion
# of the same kind of conversation (TTFT and decode, interleaved), and the second run on a thread with a long history
# next to its first run (KV-cache reuse across runs). State in a throwaway SQLite database.
#   bench/stateful.sh [StatefulBench options, e.g. --rounds 15 --history 1500]
#                     THREADS=n PARALLEL=n CTX=n to override (defaults: all cores, 4 slots, 4096 tokens)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
threads=${THREADS:-$(nproc)}
parallel=${PARALLEL:-4}
ctx=${CTX:-4096}
port=${PUNA_PORT:-18083}
out=bench/out
mkdir -p "$out"

. bench/lib.sh
bench_build_jars
model=$(bench_model)

pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

rm -rf "$out/stateful"
mkdir -p "$out/stateful"
echo "bench: puna serve (PUNA_NUM_PARALLEL=$parallel, num_ctx $ctx, $threads threads) on :$port" >&2
PUNA_HOST="127.0.0.1:$port" PUNA_MODELS="$root/$out/stateful/models" PUNA_DATA_DIR="$root/$out/stateful" \
  PUNA_NUM_PARALLEL="$parallel" PUNA_CONTEXT_LENGTH="$ctx" PUNA_NUM_THREAD="$threads" PUNA_KEEP_ALIVE=-1 \
  ./puna serve > "$out/stateful/puna-serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/api/version" >/dev/null 2>&1 && break; sleep 0.2; done
printf 'FROM %s\n' "$model" > "$out/stateful/Modelfile"
PUNA_HOST="127.0.0.1:$port" ./puna create bench -f "$out/stateful/Modelfile" >&2

"$JAVA_HOME/bin/java" -cp "bench/target/puna-bench.jar:cli/target/lib/*" dev.puna.bench.StatefulBench \
  --url "http://127.0.0.1:$port" --model bench "$@"

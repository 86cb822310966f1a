#!/usr/bin/env bash
# Speculative decoding, side by side: llama.cpp's llama-server without and with --model-draft, and `puna serve`
# without and with a draft_model, all on the libraries of one llama.cpp build (build/bench), on the generated pair
# of testkit's scripted models: a ~0.9 GB Q8_0 target (memory-bound like a real model of its size, the scripts of
# the scripted model in zero-weight layers) and the 0.3 MB scripted model as its draft (same vocabulary, same
# scripts, so every drafted token is right). Single stream, greedy, one warm-up request each, interleaved rounds.
#   bench/speculative.sh [SpeculativeBench options: --rounds 7 --tokens 128]   THREADS=n to override
#   TARGET=mamba: a recurrent target instead (the scripts in a ~0.9 GB Q8_0 Mamba model, whose state is put back
#     after every partly rejected draft); DRAFT=off-script: a draft that counts seven after five, so that every
#     round of the count rejects a draft part-way (WriteSpeculativeBenchModels)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
threads=${THREADS:-$(nproc)}
out=bench/out
mkdir -p "$out"
. bench/lib.sh
bench_build_tools
bench_build_jars
mapfile -t pair < <("$JAVA_HOME/bin/java" -cp "cli/target/puna-cli.jar:cli/target/lib/*" \
  dev.puna.testkit.WriteSpeculativeBenchModels "$root/$out/speculative" "${TARGET:-llama}" "${DRAFT:-scripted}")
echo "bench: target $(basename "${pair[0]}"), draft $(basename "${pair[1]}")" >&2
target=${pair[0]}
draft=${pair[1]}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
common=(-t "$threads" -tb "$threads" -np 1 -c 4096 -b 512 -ub 512 --host 127.0.0.1 --no-webui)
build/bench/bin/llama-server -m "$target" --alias target "${common[@]}" --port 18091 > "$out/llama-plain.log" 2>&1 &
pids+=($!)
# The pinned llama-server names the settings --spec-draft-n-max/-n-min/-p-min; both servers draft alike.
build/bench/bin/llama-server -m "$target" --alias target -md "$draft" --spec-type draft-simple \
  --spec-draft-n-max 16 --spec-draft-n-min 0 --spec-draft-p-min 0.75 "${common[@]}" --port 18092 \
  > "$out/llama-draft.log" 2>&1 &
pids+=($!)
rm -rf "$out/speculative/models" "$out/speculative/data" # the data dir (prompt cache on disk) is the run's own
PUNA_LIBRARY_PATH="$root/build/bench/bin" PUNA_HOST="127.0.0.1:18093" PUNA_MODELS="$root/$out/speculative/models" \
  PUNA_DATA_DIR="$root/$out/speculative/data" \
  PUNA_NUM_PARALLEL=1 PUNA_MAX_LOADED_MODELS=3 PUNA_CONTEXT_LENGTH=4096 PUNA_NUM_THREAD="$threads" PUNA_KEEP_ALIVE=-1 \
  ./puna serve > "$out/puna-speculative.log" 2>&1 &
pids+=($!)
wait_for http://127.0.0.1:18091/health 900
wait_for http://127.0.0.1:18092/health 900
wait_for http://127.0.0.1:18093/api/version 900
export PUNA_HOST=127.0.0.1:18093
printf 'FROM %s\n' "$draft" > "$out/speculative/Modelfile.draft"
printf 'FROM %s\n' "$target" > "$out/speculative/Modelfile.target"
printf 'FROM %s\nPARAMETER draft_model draft\nPARAMETER draft_max 16\nPARAMETER draft_min 0\nPARAMETER draft_p_min 0.75\n' \
  "$target" > "$out/speculative/Modelfile.drafted"
./puna create draft -f "$out/speculative/Modelfile.draft" >&2
./puna create target -f "$out/speculative/Modelfile.target" >&2
./puna create drafted -f "$out/speculative/Modelfile.drafted" >&2

"$JAVA_HOME/bin/java" -cp "bench/target/puna-bench.jar:cli/target/lib/*" dev.puna.bench.SpeculativeBench \
  --endpoint "llama-server=http://127.0.0.1:18091|target" \
  --endpoint "llama-server+draft=http://127.0.0.1:18092|target" \
  --endpoint "puna=http://127.0.0.1:18093|target" \
  --endpoint "puna+draft=http://127.0.0.1:18093|drafted" "$@"

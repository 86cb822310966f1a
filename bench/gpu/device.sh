#!/usr/bin/env bash
# The GPU checks, run on a lent device machine (bench/gpu/README.md says how to call it). Two steps, one call each,
# because what travels per call is capped:
#   bench/gpu/device.sh build          carry build/gpu-kit/build-call: the CUDA (sm_90) build of llama.cpp, our
#                                      libraries, llama-server, llama-bench and llama-fit-params into build/gpu,
#                                      and the Java runtime unpacked into build/gpu-jdk
#   bench/gpu/device.sh run [STEPS]    carry build/gpu-kit/run-call: STEPS, comma-separated, of bench, fit, moe
#                                      and tests (default bench,fit,tests), after the setup they share
# build/ is ignored by git, so build/gpu stays on the machine between calls while it is warm. Every step writes
# its log and a summary under $OUT (build/gpu-out when OUT is unset) and ends within its own timeout.
# GPU_ARCH (default 90), GPU_THREADS (default 8), GPU_BACKEND (default cuda; cpu tries the scripts on a machine
# without a GPU), GPU_MODEL_KIND (default gpu; bench is the small CPU bench model) and GPU_MOE_KIND (default
# gpu-moe) override.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-$root/build/gpu-out}
mkdir -p "$out"
kit=$root/build/gpu-kit
bin=$root/build/gpu/bin
backend=${GPU_BACKEND:-cuda}
threads=${GPU_THREADS:-8}
summary=$out/summary.md
say() { echo "$*" | tee -a "$summary"; }

# The folders of Python's nvidia wheels (cuBLAS, nvcc), where the device image's PyTorch keeps CUDA's libraries.
nvidia_dirs() { python3 -c 'import nvidia; print(" ".join(nvidia.__path__))' 2>/dev/null; }

# Waits up to 30 s for URL to answer; 1 when it does not, or when process PID (if given) exits first.
wait_up() { # url [pid]
  for _ in $(seq 150); do
    curl -sf "$1" >/dev/null && return 0
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
    sleep 0.2
  done
  return 1
}

# A cuBLAS for ggml-cuda: the toolkit's, else one of the nvidia-cublas wheels Python has (the device image's
# PyTorch brings one). Prints the directory with include/ and lib/ (nothing for the toolkit's own).
find_cublas() {
  local nvcc dir
  nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  dir=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
  [ -f "$dir/include/cublas_v2.h" ] && return 0
  for dir in $(nvidia_dirs); do
    for d in "$dir"/cu13 "$dir"/cu12 "$dir"/cublas; do
      if [ -f "$d/include/cublas_v2.h" ] && ls "$d"/lib/libcublas.so* >/dev/null 2>&1; then
        echo "$d"; return 0
      fi
    done
  done
}

build() {
  local start src cublas args=()
  start=$(date +%s)
  src=$root/build/gpu-src
  rm -rf "$src" "$root/build/gpu-jdk" && mkdir -p "$src" "$root/build/gpu-jdk" &&
    tar -xzf "$kit/build-call/llama.cpp.tar.gz" -C "$src" && tar -xJf "$kit/build-call/jdk.tar.xz" -C "$root/build/gpu-jdk" ||
    { say "build: no build-call kit"; return 1; }
  if [ "$backend" = cuda ]; then
    export PATH=$PATH:/usr/local/cuda/bin
    if ! command -v nvcc >/dev/null; then # a toolkit from Python's wheels (nvidia-cuda-nvcc)
      for d in $(nvidia_dirs); do
        for t in "$d"/cu13 "$d"/cu12 "$d"/cuda_nvcc; do [ -x "$t/bin/nvcc" ] && export PATH=$PATH:$t/bin && break 2; done
      done
    fi
    command -v nvcc >/dev/null || { say "build: no nvcc on this machine"; return 1; }
    cublas=$(find_cublas)
    args=(-DPUNA_BACKEND=cuda -DPUNA_CUDA_ARCHITECTURES="${GPU_ARCH:-90}")
    [ -n "$cublas" ] && args+=(-DPUNA_CUBLAS_DIR="$cublas") && echo "$cublas" > "$root/build/gpu-cublas"
    say "build: nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), cuBLAS ${cublas:-from the toolkit}, sm_${GPU_ARCH:-90}"
  fi
  local gen=()
  command -v ninja >/dev/null && [ ! -f build/gpu/CMakeCache.txt ] && gen=(-G Ninja)
  # Stopped by BUILD_TIMEOUT (inside the call's own limit), the build goes on where it stopped when called again
  # on the same warm machine: tar keeps the sources' times, so what was compiled stays compiled.
  cmake -S . -B build/gpu "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CPP_SOURCE_DIR="$src" \
    -DPUNA_BUILD_LLAMA_TOOLS=ON "${args[@]}" > "$out/build.log" 2>&1 &&
    timeout "${BUILD_TIMEOUT:-540}" cmake --build build/gpu --parallel "$(nproc)" >> "$out/build.log" 2>&1
  local rc=$?
  say "build: rc $rc in $(( $(date +%s) - start )) s on $(nproc) cores; $(ls "$bin" 2>/dev/null | tr '\n' ' ')"
  [ $rc = 0 ] || tail -n 40 "$out/build.log"
  return $rc
}

# The jars where ./puna and bench/serve.sh look for them, the kit's JDK, the CUDA libraries, and the server's AOT
# cache trained here (the cache is specific to the JDK and the jars' paths, so it cannot travel).
setup() {
  [ -x "$bin/llama-server" ] || { say "setup: no build in build/gpu (run the build step first, on this machine)"; return 1; }
  mkdir -p cli/target/lib bench/target
  rm -f cli/target/lib/*.jar
  cp "$kit/run-call/puna-cli.jar" cli/target/ && cp "$kit/run-call/lib/"*.jar cli/target/lib/ &&
    cp "$kit/run-call/puna-bench.jar" bench/target/ || { say "setup: no run-call kit"; return 1; }
  export JAVA_HOME=$root/build/gpu-jdk/jdk PUNA_LIBRARY_PATH=$bin
  if ! command -v curl >/dev/null || [ "${GPU_CURL_SHIM:-0}" = 1 ]; then
    mkdir -p "$root/build/gpu-tools" && ln -sf "$root/bench/gpu/curl.py" "$root/build/gpu-tools/curl"
    export PATH=$root/build/gpu-tools:$PATH
    say "setup: no curl here; bench/gpu/curl.py stands in"
  fi
  [ -f "$root/build/gpu-cublas" ] && export LD_LIBRARY_PATH=$(cat "$root/build/gpu-cublas")/lib:${LD_LIBRARY_PATH:-}
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version --format=csv,noheader | sed 's/^/setup: GPU /' | tee -a "$summary"
  timeout 120 scripts/aot-cache.sh > "$out/aot.log" 2>&1; say "setup: AOT cache rc $?"
  model=$("$JAVA_HOME/bin/java" -cp "cli/target/puna-cli.jar:cli/target/lib/*" dev.puna.testkit.WriteBenchModel "$root/build/gpu-models" "${GPU_MODEL_KIND:-gpu}") ||
    { say "setup: could not write the GPU bench model"; return 1; }
  say "setup: model $(basename "$model"), $(( $(stat -c %s "$model") >> 20 )) MiB"
}

# Puna / llama-server on the GPU model, every layer on the GPU for both (Puna's planner decides, llama-server gets
# -ngl 999): bench/serve.sh with one warm-up request.
bench() {
  BENCH_BIN=$bin BENCH_MODEL=$model LLAMA_ARGS="-ngl 999" THREADS=$threads PUNA_PORT=18182 LLAMA_PORT=18181 \
    timeout 330 bench/serve.sh --only first,decode,prefill,streams8,streams32 --runs 7 --agg-runs 2 > "$out/bench.log" 2>&1
  say "bench: rc $?"
  sed -n '/^| metric/,/^$/p' "$out/bench.log" | tee -a "$summary"
  grep -m1 'offload\|GPU layers' bench/out/puna-serve.log | tee -a "$summary"
}

# The planner where the model does not fit: a PyTorch allocation holds all but FIT_FREE_MIB of the GPU; then
# llama.cpp's own fit (llama-fit-params, --fit-target 1024 MiB), Puna's plan (PUNA_GPU_OVERHEAD 1 GiB) and a
# manual -ngl sweep of llama-server (does it load, and at what decode speed) for the same context (4096 x 1).
# Holds all but FREE MiB of the GPU with a PyTorch allocation (in the background, pid in $ballast, until
# ballast_drop), so that a model does not fit; nothing on a CPU-only try.
ballast_hold() { # free-mib step
  ballast=""
  if [ "$backend" = cuda ]; then
    python3 - "$1" > "$out/ballast.log" 2>&1 <<'PY' &
import sys, time, torch
free, total = torch.cuda.mem_get_info()
keep = int(sys.argv[1]) << 20
held = torch.empty(max(0, free - keep), dtype=torch.uint8, device="cuda")
print(f"ballast: {held.numel() >> 20} MiB held, {torch.cuda.mem_get_info()[0] >> 20} MiB left free", flush=True)
time.sleep(600)
PY
    ballast=$!
    for _ in $(seq 120); do grep -q "left free" "$out/ballast.log" && break; sleep 0.5; done
  else
    echo "ballast: none (GPU_BACKEND=$backend)" > "$out/ballast.log"
  fi
  say "$2: $(cat "$out/ballast.log")"
}
ballast_drop() { [ -n "$ballast" ] && kill "$ballast" 2>/dev/null && wait "$ballast" 2>/dev/null; ballast=""; }

# The GPU memory process PID holds, as nvidia-smi reports it ("n/a" without one).
vram_of() { # pid
  command -v nvidia-smi >/dev/null || { echo n/a; return; }
  nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits |
    awk -F', ' -v p="$1" '$1 == p {print $2 " MiB"; found = 1} END {if (!found) print "none"}'
}

# Puna's plan for MODEL on one 4096-token slot with PUNA_GPU_OVERHEAD, as STEP: the plan's log line, a
# 128-token generation's decode and the VRAM the server holds, /api/ps and puna ps. The log is $out/STEP-puna.log.
puna_plan() { # step port model overhead
  local step=$1 port=$2 dir=$root/build/gpu-$1 puna
  rm -rf "$dir" && mkdir -p "$dir"
  PUNA_HOST=127.0.0.1:$port PUNA_MODELS=$dir/models PUNA_DATA_DIR=$dir/data PUNA_NUM_PARALLEL=1 \
    PUNA_CONTEXT_LENGTH=4096 PUNA_GPU_OVERHEAD=$4 PUNA_NUM_THREAD=$threads PUNA_KEEP_ALIVE=-1 \
    ./puna serve > "$out/$step-puna.log" 2>&1 &
  puna=$!
  wait_up "http://127.0.0.1:$port/api/version" "$puna"
  printf 'FROM %s\n' "$3" > "$dir/Modelfile"
  PUNA_HOST=127.0.0.1:$port ./puna create "$step" -f "$dir/Modelfile" > /dev/null 2>&1
  curl -s "http://127.0.0.1:$port/api/generate" -d '{"model":"'"$step"'","prompt":"a b c","stream":false,"options":{"num_predict":128,"temperature":0}}' \
    > "$out/$step-puna.json"
  say "$step: puna plans: $(grep -m1 'GPU layers' "$out/$step-puna.log" | sed 's/.*EngineLoader - //')"
  say "$step: puna decode $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["eval_count"]/d["eval_duration"]*1e9,1), "tok/s")' "$out/$step-puna.json" 2>/dev/null || cat "$out/$step-puna.json"), VRAM held $(vram_of "$puna")"
  say "$step: /api/ps $(curl -s "http://127.0.0.1:$port/api/ps" | python3 -c 'import json,sys; m=json.load(sys.stdin)["models"][0]; print("size", m["size"]>>20, "MiB, size_vram", m["size_vram"]>>20, "MiB")' 2>&1)"
  PUNA_HOST=127.0.0.1:$port timeout 10 ./puna ps 2>&1 | tee -a "$summary"
  kill "$puna"; wait "$puna" 2>/dev/null
}

# llama-server on MODEL, one 4096-token slot, with FLAGS, as STEP: whether it loads, its VRAM and its decode.
llama_try() { # step port model flags...
  local step=$1 port=$2 m=$3 ls
  shift 3
  timeout 60 "$bin/llama-server" -m "$m" -c 4096 -np 1 "$@" -fit off -t "$threads" --host 127.0.0.1 \
    --port "$port" --no-webui > "$out/$step-llama.log" 2>&1 &
  ls=$!
  if wait_up "http://127.0.0.1:$port/health" "$ls"; then
    say "$step: llama-server $* loads, VRAM held $(vram_of "$ls"), decode $(curl -s "http://127.0.0.1:$port/completion" \
      -d '{"prompt":"a b c","n_predict":128,"temperature":0}' | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["timings"]["predicted_per_second"],1), "tok/s")' 2>&1)"
  else
    say "$step: llama-server $* does not load: $(grep -m1 -i 'out of memory\|failed to\|error' "$out/$step-llama.log")"
  fi
  kill "$ls" 2>/dev/null; wait "$ls" 2>/dev/null
}

fit() {
  local port=18183 n ngl
  ballast_hold "${FIT_FREE_MIB:-3072}" fit
  timeout 60 "$bin/llama-fit-params" -m "$model" -c 4096 -np 1 -fitt 1024 > "$out/fit-params.out" 2> "$out/fit-params.log"
  say "fit: llama-fit-params says: $(cat "$out/fit-params.out")"
  timeout 60 "$bin/llama-fit-params" -m "$model" -c 4096 -np 1 -fitp on >> "$out/fit-params.out" 2>> "$out/fit-params.log"
  say "fit: llama.cpp's estimate (device, model, context, compute MiB): $(tail -n +2 "$out/fit-params.out" | tr '\n' ' ')"
  puna_plan fit "$port" "$model" 1GiB
  n=$(sed -n 's/.*: \([0-9]*\) GPU layers.*/\1/p' "$out/fit-puna.log" | head -n 1)
  # 0, a few points on the way, around the plan, and every layer (32 blocks and the output: 33).
  for ngl in $(printf '%s\n' 0 8 16 $((n - 2)) $((n - 1)) "${n:-0}" $((n + 1)) $((n + 2)) $((n + 4)) 33 |
               awk '$1 >= 0 && $1 <= 33' | sort -nu); do
    llama_try fit $((port + 1)) "$model" -ngl "$ngl"
  done
  ballast_drop
}

# A mixture-of-experts model that does not fit (n_cpu_moe): the 3.6 GiB gpu-moe model (16 layers, 32 experts, 4
# used) with all but MOE_FREE_MIB (default 2048) of the GPU held. Puna's plan (PUNA_GPU_OVERHEAD 512 MiB: every
# layer on the GPU, the fewest layers' experts in host memory), its decode and the VRAM nvidia-smi says it holds,
# beside llama.cpp's own fit (llama-fit-params) and llama-server with -ngl 99 --n-cpu-moe at Puna's choice and one
# less (does it load, its VRAM, its decode).
moe() {
  local port=18193 m k c
  m=$("$JAVA_HOME/bin/java" -cp "cli/target/puna-cli.jar:cli/target/lib/*" dev.puna.testkit.WriteBenchModel \
      "$root/build/gpu-models" "${GPU_MOE_KIND:-gpu-moe}") || { say "moe: could not write the MoE model"; return 1; }
  say "moe: model $(basename "$m"), $(( $(stat -c %s "$m") >> 20 )) MiB"
  ballast_hold "${MOE_FREE_MIB:-2048}" moe
  timeout 60 "$bin/llama-fit-params" -m "$m" -c 4096 -np 1 -fitt 512 > "$out/moe-fit-params.out" 2> "$out/moe-fit-params.log"
  say "moe: llama-fit-params says: $(cat "$out/moe-fit-params.out")"
  puna_plan moe "$port" "$m" 512MiB
  k=$(sed -n 's/.*n_cpu_moe \([0-9]*\).*/\1/p' "$out/moe-puna.log" | head -n 1)
  for c in $(printf '%s\n' $((${k:-0} - 1)) "${k:-0}" | awk '$1 >= 0' | sort -nu); do
    llama_try moe $((port + 1)) "$m" -ngl 99 --n-cpu-moe "$c"
  done
  ballast_drop
}

# The runtime's tests and the HTTP module's inference tests with every layer on the GPU (the libraries' default,
# and the server's plan on an empty GPU), through JUnit's console launcher: the runtime's with the JVM flags its
# pom gives them (LeakTest reads Native Memory Tracking), the HTTP tests with the JVM's defaults. Everything on the
# class path itself, not the launcher's --class-path, since some tests start child JVMs from java.class.path.
tests() {
  local cp selects=() c rc
  cp=$(ls "$kit"/run-call/test/*.jar cli/target/puna-cli.jar cli/target/lib/*.jar | tr '\n' ':')
  for c in ${GPU_HTTP_TESTS//,/ }; do selects+=(--select-class "dev.puna.http.$c"); done
  mkdir -p build/gpu-tmp
  : > "$out/tests.log"
  run_junit() { # name, JVM flags..., --, launcher selectors...
    local name=$1 flags=()
    shift
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    timeout "${TEST_TIMEOUT:-400}" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xss4m "${flags[@]}" \
      -Dpuna.library.path="$bin" -Dpuna.llama.simple="$bin/puna-llama-simple" -Dpuna.rpc.server="$bin/rpc-server" \
      -Djava.io.tmpdir="$root/build/gpu-tmp" -Dorg.sqlite.tmpdir="$root/build/gpu-tmp" -cp "$cp" \
      org.junit.platform.console.ConsoleLauncher execute "$@" --details=summary --disable-banner >> "$out/tests.log" 2>&1
    rc=$?
    say "tests ($name): rc $rc, $(grep -E 'tests (successful|failed)' "$out/tests.log" | tail -n 2 | tr -s ' []' ' ' | tr '\n' ',')"
  }
  run_junit runtime -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary -- --select-package dev.puna.runtime
  [ ${#selects[@]} -gt 0 ] && run_junit http -- "${selects[@]}"
  sed -n '/^Failures (/,/^Test run finished/p' "$out/tests.log" | grep -E 'MethodSource|=>' | head -60 >> "$summary" || true # no failures: nothing to add
}

export GPU_HTTP_TESTS=${GPU_HTTP_TESTS-ChatEndToEndTest,GenerateEndToEndTest,OpenAiChatEndToEndTest,OpenAiCompletionsEndToEndTest,EmbedEndToEndTest,StructuredOutputEndToEndTest,ToolsEndToEndTest,SpeculativeEndToEndTest,LoraEndToEndTest,RerankEndToEndTest,DiskCacheRestartTest,FillInMiddleEndToEndTest}
case "${1:-}" in
  build) build ;;
  run)
    steps=",${2:-bench,fit,tests},"
    setup || exit 1
    for s in bench fit moe tests; do
      case "$steps" in *",$s,"*) "$s" ;; esac
    done
    ;;
  *) echo "usage: bench/gpu/device.sh build | run [bench,fit,tests]" >&2; exit 2 ;;
esac

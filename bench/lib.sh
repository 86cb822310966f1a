# Shared steps of the bench scripts (sourced; expects $root and JAVA_HOME).

# llama.cpp with its own tools (llama-server, llama-bench) in build/bench, from the same pinned source and
# options as the libraries Puna ships; Puna runs on these same libraries during benchmarks (PUNA_LIBRARY_PATH).
bench_build_tools() {
  if [ ! -x build/bench/bin/llama-server ] || [ ! -x build/bench/bin/llama-bench ]; then
    echo "bench: building llama.cpp with its tools into build/bench (several minutes)..." >&2
  fi
  local gen=()
  command -v ninja >/dev/null && [ ! -f build/bench/CMakeCache.txt ] && gen=(-G Ninja)
  cmake -S . -B build/bench "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DPUNA_BUILD_LLAMA_TOOLS=ON \
        -DPUNA_STAGE_DIR="$root/build/bench/stage" >/dev/null
  cmake --build build/bench --parallel "$(nproc)" >/dev/null
}

# The Puna jars (the CLI and its libraries), built once, and on JDK 25+ their AOT caches (what ./puna builds),
# built again whenever a jar is newer: a server started with a stale cache runs without it, and the bench would
# time a cold JVM that no user of ./puna starts.
bench_build_jars() {
  if [ ! -f cli/target/puna-cli.jar ] || [ "${PUNA_REBUILD:-0}" = 1 ]; then
    ./mvnw -B -q -ntp install -DskipTests >&2
  fi
  . scripts/puna-jvm.sh
  if [ "${PUNA_JDK_MAJOR:-0}" -ge 25 ] && [ "${PUNA_AOT:-1}" != 0 ] && ! puna_aot_current "$root/cli/target/aot/serve.aot"; then
    scripts/aot-cache.sh >&2
  fi
}

# Prints the path of the generated benchmark model (written on first use).
bench_model() {
  "$JAVA_HOME/bin/java" -cp "cli/target/puna-cli.jar:cli/target/lib/*" dev.puna.testkit.WriteBenchModel "$root/bench/out"
}

# Waits until URL answers (curl -f), polling every 0.2 s, at most TRIES times (default 600: two minutes).
wait_for() { # url [tries]
  for _ in $(seq "${2:-600}"); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "bench: $1 did not come up" >&2
  return 1
}

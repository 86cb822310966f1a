#!/usr/bin/env bash
# Packs what the GPU checks need on a lent device machine (bench/gpu/README.md), which has CUDA's compiler, cuBLAS,
# CMake and ninja but no JDK and no network. build/gpu-kit/build-call travels with the first call: the pinned
# llama.cpp source (without its git history, docs and models) for the CUDA build, and a jlink'd JDK, unpacked
# there for the second. build/gpu-kit/run-call travels with the second: the server's jars, the bench jar, and the
# runtime and HTTP tests with the libraries they need. Each stays under the device tool's 64 MiB per call.
#   bench/gpu/pack.sh        (after scripts/mvn install -DskipTests, which compiles the tests too)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. scripts/find-jdk.sh
puna_find_jdk
kit=build/gpu-kit
rm -rf "$kit"
mkdir -p "$kit/build-call" "$kit/run-call/lib" "$kit/run-call/test"

# The llama.cpp source: LLAMA_CPP_SOURCE_DIR, else the checksum-verified cache the native build fills.
src=${LLAMA_CPP_SOURCE_DIR:-$(ls -d "${PUNA_CACHE_DIR:-$HOME/.cache/puna}"/llama.cpp-v0.5.0-* 2>/dev/null | head -n 1)}
[ -f "$src/include/llama.h" ] || { echo "gpu-kit: no llama.cpp source (build the native module first)" >&2; exit 1; }
# All of it but what a build with tests off does not read: git history, models (vocabularies for llama.cpp's
# tests), docs, tests, benches, media, Python conversion scripts, and the web UI's sources (the server embeds no UI
# with LLAMA_BUILD_UI off).
tar -C "$src" -czf "$kit/build-call/llama.cpp.tar.gz" --exclude=./.git --exclude=./models --exclude=./docs \
  --exclude=./tests --exclude=./benches --exclude=./media --exclude=./gguf-py --exclude=./conversion \
  --exclude=./tools/server/webui --exclude='*.gguf' .
basename "$src" > "$kit/build-call/VERSION"

[ -f cli/target/puna-cli.jar ] && [ -f bench/target/puna-bench.jar ] && [ -d runtime/target/test-classes ] || {
  echo "gpu-kit: build first: scripts/mvn -B -ntp install -DskipTests" >&2; exit 1; }

# sqlite-jdbc carries natives for every platform (12 MiB); the device needs Linux x86-64's alone.
slim_sqlite() { # jar out
  local t
  t=$(mktemp -d)
  (cd "$t" && "$JAVA_HOME/bin/jar" xf "$1")
  find "$t/org/sqlite/native" -mindepth 1 -maxdepth 1 ! -name Linux -exec rm -rf {} +
  find "$t/org/sqlite/native/Linux" -mindepth 1 -maxdepth 1 ! -name x86_64 -exec rm -rf {} +
  (cd "$t" && "$JAVA_HOME/bin/jar" cf "$2" .)
  rm -rf "$t"
}

# The server: the CLI jar and its libraries, less the CPU build of llama.cpp (the device loads the CUDA build).
cp cli/target/puna-cli.jar bench/target/puna-bench.jar "$kit/run-call/"
for j in cli/target/lib/*.jar; do
  case "$(basename "$j")" in
    puna-native-*) ;;
    sqlite-jdbc-*) slim_sqlite "$root/$j" "$root/$kit/run-call/lib/$(basename "$j")" ;;
    *) cp "$j" "$kit/run-call/lib/" ;;
  esac
done

# The tests: the runtime's and the HTTP module's test classes, and what they need beyond the server's jars, less
# the OpenAI, Anthropic and LangChain4j SDKs (and Kotlin and OkHttp under them), which only the client tests use
# (bench/gpu/device.sh runs the inference tests, not those).
for m in runtime http; do
  [ -d "$m/target/test-classes" ] && "$JAVA_HOME/bin/jar" cf "$kit/run-call/test/puna-$m-tests.jar" -C "$m/target/test-classes" .
done
# One Maven run for both modules; the relative output file lands in each module's own target/.
scripts/mvn -B -q -ntp -o -pl runtime,http dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/gpu-kit-test.cp >/dev/null
cat runtime/target/gpu-kit-test.cp http/target/gpu-kit-test.cp | tr ':' '\n' | sort -u | while read -r j; do
  b=$(basename "$j")
  case "$b" in
    puna-*|openai-*|anthropic-*|langchain4j-*|kotlin-*|okhttp-*|okio-*|sqlite-jdbc-*) continue ;;
  esac
  [ -f "$kit/run-call/lib/$b" ] || cp "$j" "$kit/run-call/test/"
done
# JUnit's console launcher runs the tests there (no Maven on the device).
scripts/mvn -B -q -ntp -N dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
  -DoutputDirectory="$root/$kit/run-call/test" >/dev/null
# It bundles JUnit itself: the separate JUnit jars would be a second copy on the class path.
find "$kit/run-call/test" \( -name 'junit-jupiter-*.jar' -o -name 'junit-platform-*.jar' -o -name 'opentest4j-*.jar' \
  -o -name 'apiguardian-*.jar' \) ! -name 'junit-platform-console-standalone-*' -delete
[ -f "$kit"/run-call/test/junit-platform-console-standalone-1.14.1.jar ] || { echo "gpu-kit: no JUnit console launcher" >&2; exit 1; }

# A Java runtime of the modules these need (java.desktop for ImageIO, java.instrument and jdk.attach for Mockito's
# agent), 65 MiB, 37 MiB as tar.xz. No compiler (jdk.compiler would add 23 MiB): scripts/find-jdk.sh takes only
# a JDK with bin/javac, so a javac that says so stands in for it.
jdk=$(mktemp -d)/jdk
"$JAVA_HOME/bin/jlink" --output "$jdk" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --add-modules java.base,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.sql,java.xml,jdk.attach,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs
printf '#!/bin/sh\necho "javac: this Java runtime (bench/gpu/pack.sh) runs Puna; it cannot compile" >&2\nexit 1\n' > "$jdk/bin/javac"
chmod +x "$jdk/bin/javac"
tar -C "$(dirname "$jdk")" -cf - jdk | xz -T"$(nproc)" -6 > "$kit/build-call/jdk.tar.xz"
rm -rf "$(dirname "$jdk")"
du -sh "$kit/build-call" "$kit/run-call" >&2

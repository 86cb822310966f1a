#!/usr/bin/env bash
# Maintainer path for llama.cpp version bumps: regenerates FFM bindings for exactly the structs and functions
# Puna binds, with jextract (https://jdk.java.net/jextract/), into bindings/jextract/generated/ (not committed).
#
#   bindings/jextract/regenerate.sh [LLAMA_CPP_SOURCE_DIR]
#
# The list of symbols comes from native/probe/layout_probe.cpp, the same list LayoutProbeTest checks, so the two
# cannot drift apart. Compare the generated layouts and descriptors with LlamaLayouts.java and Llama.java (or port
# the hand-written wrappers onto the generated classes), then run ./run-tests: LayoutProbeTest and SymbolsTest
# verify the result against the freshly built library either way.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v jextract >/dev/null || { echo "jextract is not on PATH; install it from https://jdk.java.net/jextract/" >&2; exit 1; }

src=${1:-${LLAMA_CPP_SOURCE_DIR:-}}
if [ -z "$src" ]; then
  src=$(ls -d "${PUNA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/puna}"/llama.cpp-v* 2>/dev/null | grep -v partial | head -n 1 || true)
fi
[ -f "$src/include/llama.h" ] || { echo "no llama.cpp source (pass a checkout, or build once so the cache exists)" >&2; exit 1; }

probe="$root/native/probe/layout_probe.cpp"
args=()
for s in $(sed -n 's/^ *STRUCT(\([a-z_]*\));/\1/p' "$probe"); do args+=(--include-struct "$s"); done
for f in $(sed -n 's/^ *FUNC(\([a-z_0-9]*\));/\1/p' "$probe"); do args+=(--include-function "$f"); done
args+=(--include-typedef ggml_log_callback --include-typedef ggml_abort_callback)

out="$root/bindings/jextract/generated"
rm -rf "$out"
jextract --output "$out" --target-package dev.puna.bindings.jextract --header-class-name llama_h \
  --library llama -I "$src/include" -I "$src/ggml/include" "${args[@]}" "$src/include/llama.h"
echo "generated into $out ($(find "$out" -name '*.java' | wc -l) files) from $src"

#!/usr/bin/env bash
# Fuzzes the pure-Java GGUF reader (gguf/src/test/.../GgufFuzzer.java) for a while, with a fresh seed:
#   scripts/fuzz-gguf.sh [DURATION_SECONDS, default 300] [SEED, default random]
# The normal test suite runs the same fuzzer for a fixed 5000 inputs with a fixed seed. A finding fails the run
# with its seed and iteration and leaves the input in gguf/target/fuzz/findings/; replay it with the same seed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
seed=${2:-$(od -An -N8 -td8 /dev/urandom | tr -d ' ')}
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [seconds] [seed]" >&2; exit 2 ;; esac
echo "puna: fuzzing the GGUF reader for ${seconds}s, seed $seed" >&2
exec scripts/mvn -B -ntp -q -pl gguf test -Dtest=GgufFuzzTest#theReaderAcceptsOrRefusesEveryMutatedInputCleanly \
  -Dsurefire.failIfNoSpecifiedTests=false -Dpuna.fuzz.seconds="$seconds" -Dpuna.fuzz.seed="$seed" \
  -Dpuna.fuzz.dir="$PWD/gguf/target/fuzz" -DtrimStackTrace=false

#!/usr/bin/env bash
# Builds the JDK AOT caches next to the jars (cli/target/aot/client.aot and serve.aot) from training runs over
# the generated demo model: 'puna serve --demo' on a loopback port answers a few Ollama and OpenAI requests
# (chat and completions, streamed and not) while the client commands (--version, list, ps, show) run once each
# against it; the server then stops on SIGTERM and the JVM writes what it loaded, linked and profiled. ./puna
# runs this after its first build; run it again after rebuilding the jars (./puna ignores a cache older than
# them). Needs JDK 25+ (-XX:AOTCacheOutput); with an older JDK it says so and exits 0. About 30 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/find-jdk.sh"
. "$root/scripts/puna-jvm.sh"
puna_find_jdk
if [ "${PUNA_JDK_MAJOR:-0}" -lt 25 ]; then
  echo "aot-cache: JDK $PUNA_JDK_MAJOR has no -XX:AOTCacheOutput (JDK 25+); no AOT caches built" >&2
  exit 0
fi
[ -f "$root/cli/target/puna-cli.jar" ] || { echo "aot-cache: build the jars first (./mvnw package -DskipTests)" >&2; exit 1; }
aot="$root/cli/target/aot"
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$aot" "$work/models"
rm -f "$aot"/client.aot "$aot"/serve.aot
export PUNA_HOST=127.0.0.1:0 PUNA_MODELS="$work/models" PUNA_DATA_DIR="$work/data" \
       PUNA_DATABASE_URL="sqlite:$work/puna.db" PUNA_CONTEXT_LENGTH=512 PUNA_NUM_PARALLEL=2

PUNA_JVM_AOT_OUTPUT="$aot/serve.aot" puna_jvm serve
"${PUNA_JVM[@]}" dev.puna.cli.Main serve --demo >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 600); do
  grep -q "puna: listening on" "$work/serve.log" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; echo "aot-cache: the server did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q "puna: listening on" "$work/serve.log" || { echo "aot-cache: the server did not start in 60 s" >&2; exit 1; }

base=$(sed -n 's|^puna: listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$work/serve.log" | head -n 1)
export PUNA_HOST=${base#http://}
m=puna-demo
post() { curl -sS --fail-with-body -o /dev/null -H 'Content-Type: application/json' -d "$2" "$base$1"; }
for round in 1 2 3; do
  post /api/chat '{"model":"'$m'","messages":[{"role":"user","content":"Hello there, round '$round'"}],"options":{"num_predict":24}}'
  post /api/chat '{"model":"'$m'","stream":false,"messages":[{"role":"user","content":"Hi"}],"options":{"num_predict":8}}'
  post /api/generate '{"model":"'$m'","prompt":"Once upon a time","options":{"num_predict":24}}'
  post /v1/chat/completions '{"model":"'$m'","stream":true,"max_tokens":24,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Tell me a story"}]}'
  # Long streams on both OpenAI routes: the per-token path's method profiles in the cache let the JIT compile it
  # early in a real server, instead of after its first thousand tokens.
  post /v1/chat/completions '{"model":"'$m'","stream":true,"max_tokens":400,"messages":[{"role":"user","content":"Count on"}]}'
  post /v1/completions '{"model":"'$m'","stream":true,"max_tokens":400,"prompt":"Count on"}'
  post /v1/chat/completions '{"model":"'$m'","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]}'
  post /v1/completions '{"model":"'$m'","stream":true,"max_tokens":24,"prompt":"The quick brown fox"}'
  post /v1/completions '{"model":"'$m'","max_tokens":8,"prompt":"Hello"}'
  curl -sS --fail -o /dev/null "$base/api/tags"
  curl -sS --fail -o /dev/null "$base/api/ps"
  curl -sS --fail -o /dev/null "$base/v1/models"
done

PUNA_JVM_AOT_OUTPUT="$aot/client.aot" puna_jvm quick
"${PUNA_JVM[@]}" dev.puna.cli.AotTraining "$m" >"$work/client.log" 2>&1 \
  || { cat "$work/client.log" >&2; echo "aot-cache: the client training run failed" >&2; exit 1; }

kill -TERM "$server"
wait "$server" || { cat "$work/serve.log" >&2; echo "aot-cache: the server did not stop cleanly" >&2; exit 1; }
server=""
for f in client serve; do
  [ -f "$aot/$f.aot" ] || { cat "$work/$f.log" >&2; echo "aot-cache: no $f.aot written" >&2; exit 1; }
done
echo "aot-cache: wrote $aot/client.aot ($(du -h "$aot/client.aot" | cut -f1)) and $aot/serve.aot ($(du -h "$aot/serve.aot" | cut -f1))" >&2

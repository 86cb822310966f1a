# Sourced by ./puna and scripts/aot-cache.sh (after find-jdk.sh): the java command line for one kind of puna
# command, so that the AOT caches are trained on exactly the class path and flags they are used with (the JVM
# refuses a cache made for another class path, JDK or GC).
#
#   puna_jvm_kind ARGS...  sets PUNA_JVM_KIND to quick, version, client, serve or local: the kind of command
#   puna_jvm KIND          sets the array PUNA_JVM to java, its flags and the class path for KIND; with
#                          PUNA_JVM_AOT_OUTPUT=FILE (JDK 25+) it trains FILE instead of using the cache
#
# client (pull, run, create, ...; what talks to a server): C1 only and the serial GC, which start faster and are
#   all a command that lives for a fraction of a second needs.
# quick (list, ps, show: dev.puna.cli.QuickCommands): as client, with the client AOT cache.
# version (--version): as quick without the cache, which costs more to map than it saves on this little work.
# serve: the JVM's defaults but a 64 MiB initial heap (the default, 1/64 of RAM, lets the young generation touch
#   hundreds of MiB before its first collection; the heap still grows as needed), and the server AOT cache. On
#   JDK 25 the cache's profiled methods are compiled as they load (-XX:+AOTCompileEagerly, experimental there, so
#   only on 25): the JIT's work moves from the first requests, where it competes with llama.cpp's threads for the
#   cores, to the start (README.md, "Command line").
# local (generate, which runs a model in-process): the JVM's defaults, no cache.
#
# A cache is used only on JDK 25+ (-XX:AOTCache), when it exists and is newer than every jar; the JVM checks it
# again and falls back to a normal start when it does not match, and -Xlog:aot=off,cds=off keeps that quiet.

puna_jvm_kind() {
  case "${1:-}" in
    list|ls|ps|show) PUNA_JVM_KIND=quick ;;
    --version|-V) [ $# = 1 ] && PUNA_JVM_KIND=version || PUNA_JVM_KIND=client ;;
    serve) PUNA_JVM_KIND=serve ;;
    generate) PUNA_JVM_KIND=local ;;
    *) PUNA_JVM_KIND=client ;;
  esac
}

# True when the AOT cache FILE exists and no jar is newer (a rebuild of the jars leaves it stale until
# scripts/aot-cache.sh runs again).
puna_aot_current() { # file
  [ -f "$1" ] && [ -z "$(find "$root/cli/target/puna-cli.jar" "$root/cli/target/lib" -newer "$1" -name '*.jar' -print -quit 2>/dev/null)" ]
}

puna_jvm() {
  local kind=$1 lib="$root/cli/target/lib" aot="$root/cli/target/aot" cache="" j
  # The client's own jars first: the class loader searches the class path in order, opening each jar it passes,
  # and a quick command finds all it loads in these. The rest follow for what an error path may need (Log4j and
  # the server's request ids for errors as JSON logs, PUNA_LOG_FORMAT=json).
  local cp="$root/cli/target/puna-cli.jar"
  for j in "$lib"/picocli-*.jar "$lib"/jackson-core-*.jar "$lib"/jackson-databind-*.jar \
           "$lib"/jackson-annotations-*.jar "$lib"/puna-http-*.jar; do
    [ -f "$j" ] && cp="$cp:$j"
  done
  cp="$cp:$lib/*"
  PUNA_JVM=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)
  case "$kind" in
    quick) PUNA_JVM+=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC); cache="$aot/client.aot" ;;
    version|client) PUNA_JVM+=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC) ;;
    serve) PUNA_JVM+=(-Xms64m); cache="$aot/serve.aot" ;;
  esac
  if [ -n "$cache" ] && [ "${PUNA_JDK_MAJOR:-0}" -ge 25 ]; then
    if [ -n "${PUNA_JVM_AOT_OUTPUT:-}" ]; then
      PUNA_JVM+=(-XX:AOTCacheOutput="$PUNA_JVM_AOT_OUTPUT" -Xlog:aot=error,cds=error)
    elif [ "${PUNA_AOT:-1}" != 0 ] && puna_aot_current "$cache"; then
      PUNA_JVM+=(-XX:AOTCache="$cache" -Xlog:aot=off,cds=off)
      if [ "$kind" = serve ] && [ "$PUNA_JDK_MAJOR" = 25 ]; then
        PUNA_JVM+=(-XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly)
      fi
    fi
  fi
  PUNA_JVM+=(-cp "$cp")
}

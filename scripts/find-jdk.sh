# Sourced by ./puna, ./run-tests and bench/ scripts: exports JAVA_HOME pointing at a JDK 22+ (Puna uses
# java.lang.foreign, final in JDK 22) and PUNA_JDK_MAJOR, its feature version. Order: $JAVA_HOME if it is 22+,
# else the newest 22+ JDK under /usr/lib/jvm (or $PUNA_JVM_DIRS, space-separated), else a clear error.

_puna_jdk_major() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  local v="" line
  # The JDK's release file says it without starting a JVM, read with shell builtins only: every ./puna command
  # comes through here, and a CLI command should answer in a few hundred milliseconds. A JDK without the file
  # is asked.
  if [ -f "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; break ;; esac
    done < "$1/release"
  fi
  [ -n "$v" ] || \
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
  v=${v#1.}
  echo "${v%%[!0-9]*}"
}

puna_find_jdk() {
  local best="" best_major=0 cand major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(_puna_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 22 ]; then
      export JAVA_HOME PUNA_JDK_MAJOR=$major; return 0
    fi
    echo "puna: JAVA_HOME=$JAVA_HOME is not a JDK 22+ (found ${major:-none}); looking under /usr/lib/jvm" >&2
  fi
  for cand in ${PUNA_JVM_DIRS:-/usr/lib/jvm/*}; do
    [ -d "$cand" ] || continue
    major=$(_puna_jdk_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge 22 ] && [ "$major" -gt "$best_major" ]; then
      best=$cand; best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    cat >&2 <<'MSG'
puna: no JDK 22 or newer found (checked $JAVA_HOME and /usr/lib/jvm/*).
Puna needs JDK 22+ for java.lang.foreign. Install one, e.g. on Debian/Ubuntu:
    apt-get install temurin-25-jdk      (Adoptium repository)   or   apt-get install openjdk-25-jdk
then re-run, or point JAVA_HOME at it.
MSG
    return 1
  fi
  export JAVA_HOME=$(readlink -f "$best") PUNA_JDK_MAJOR=$best_major
}

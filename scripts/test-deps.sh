# Sourced by ./run-tests: installs what the tests need beyond a JDK and a C/C++ toolchain.
#
# The server's OllamaJsClientTest and OpenAiJsClientTest run the official Ollama and OpenAI JavaScript clients (npm
# packages "ollama" and "openai", pinned by http/src/test/js/package-lock.json) with Node.js; they are installed
# with npm ci. Without them those tests fail.
#
# The store's registry tests (store/src/test/.../RegistryServer.java) run a real OCI registry: Debian's
# docker-registry package (CNCF distribution 2.8, /usr/bin/docker-registry). It is only started by the tests,
# never as a service. Without it those tests fail (not skip) and say how to install it.
#
# The state tests (state/, http/) run every repository and end-to-end test against a real PostgreSQL server too
# (testkit's PostgresServer: initdb + pg_ctl of Debian's postgresql package, a throwaway cluster on a free loopback
# port). Without the package those tests fail and say how to install it.
#
# The CLI's SystemdUnitTest runs `systemd-analyze verify` on contrib/systemd/puna.service: Debian's systemd
# package (/usr/bin/systemd-analyze; installing it starts nothing in a container). Without it that test fails.

puna_install_test_deps() {
  puna_install_js_client
  puna_install_registry
  puna_install_postgres
  puna_install_systemd_analyze
}

puna_install_systemd_analyze() {
  command -v systemd-analyze >/dev/null 2>&1 && [ -x /usr/bin/systemd-analyze ] && return 0
  puna_apt_install systemd "SystemdUnitTest" || return 0
}

puna_install_js_client() {
  local dir=http/src/test/js
  [ -f "$dir/node_modules/ollama/package.json" ] && [ -f "$dir/node_modules/openai/package.json" ] \
    && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] \
    && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "puna: npm not found; OllamaJsClientTest will fail (install Node.js 18+ with npm)." >&2
    return 0
  fi
  echo "puna: installing the Ollama JavaScript client for OllamaJsClientTest (npm ci)" >&2
  npm ci --prefix "$dir" --no-audit --no-fund >&2 || echo "puna: npm ci failed; OllamaJsClientTest will fail." >&2
  return 0
}

# Installs Debian package $1 with apt-get (as root or through sudo -n); $2 says what needs it.
puna_apt_install() {
  local package=$1 why=$2
  echo "puna: installing $package for $why" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
      echo "puna: cannot install $package (not root, no sudo); $why will fail." >&2
      echo "puna: install it with: apt-get install -y $package" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "puna: no apt-get here; install $package yourself, $why will fail without it." >&2
    return 1
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" >&2 \
    || { $sudo apt-get update >&2 && $sudo env DEBIAN_FRONTEND=noninteractive \
         apt-get install -y --no-install-recommends "$package" >&2; } \
    || { echo "puna: installing $package failed; $why will fail." >&2; return 1; }
}

puna_install_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
  puna_apt_install postgresql "the PostgreSQL tests" || return 0
  # The package may start its default cluster; the tests start their own on a free port and need none.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for v in /usr/lib/postgresql/*; do pg_ctlcluster "$(basename "$v")" main stop >/dev/null 2>&1 || true; done
  fi
  return 0
}

puna_install_registry() {
  local registry=/usr/bin/docker-registry
  [ -x "$registry" ] && return 0
  echo "puna: installing docker-registry (CNCF distribution) for the registry tests" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
      echo "puna: cannot install docker-registry (not root, no sudo); the registry tests will fail." >&2
      echo "puna: install it with: apt-get install -y docker-registry" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "puna: no apt-get here; install CNCF distribution's registry as $registry" >&2
    echo "puna: (or pass -Dpuna.docker.registry=/path/to/registry); the registry tests will fail without it." >&2
    return 0
  fi
  # policy-rc.d keeps the package from starting a registry service on port 5000; the tests start their own.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry >&2 \
    || { $sudo apt-get update >&2 && $sudo env DEBIAN_FRONTEND=noninteractive \
         apt-get install -y --no-install-recommends docker-registry >&2; } \
    || echo "puna: installing docker-registry failed; the registry tests will fail." >&2
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    $sudo systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
  return 0
}

#!/usr/bin/env bash
# Installs the e2e harness's npm dependencies (tests/e2e/node_modules) from
# package-lock.json. Idempotent and quiet: runs `npm ci` only when
# node_modules is missing or older than package-lock.json; prints nothing on
# success. Safe to call from parallel test jobs (serialized with flock).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$here/node_modules/.tflc-e2e-installed"

fail() { echo "tests/e2e/setup.sh: $*" >&2; exit 1; }

up_to_date() { [[ -f "$stamp" && "$stamp" -nt "$here/package-lock.json" ]]; }

command -v node >/dev/null 2>&1 || fail "node not found (Node >= 20 is needed)"
command -v npm >/dev/null 2>&1 || fail "npm not found"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || fail "Node >= 20 is needed, found $(node --version)"

up_to_date && exit 0

install() {
  up_to_date && return 0 # another job installed while we waited for the lock
  local log
  log="$(mktemp)"
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    fail "npm ci failed in $here (see the output above; is the npm registry reachable?)"
  fi
  rm -f "$log"
  touch "$stamp"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$here/.setup.lock"
  flock 9
  install
  flock -u 9
else
  install
fi

#!/usr/bin/env bash
# The whole test suite, as CI and a new user run it: `./scripts/test.sh`.
# Installs what it needs on a fresh Debian machine (the wasm toolchain, Chromium for the
# browser test, the npm test dependency, PostgreSQL for the registry suite); set
# MEDZK_SKIP_WASM=1 to run the Rust tests only.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The registry suite runs on redb and on a throwaway PostgreSQL server it starts itself
# (initdb + pg_ctl in a temporary directory); install the server where it is missing.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
export MEDZK_REQUIRE_POSTGRES=1

# The WebAssembly builds (three of arkworks, ~10 minutes on 2 cores) run in the background
# while the Rust tests build and run, sharing the cores with them: each fills the other's
# serial stretches (links, single-threaded tests); niced, it waited for the tests and ran
# its own serial steps alone. Fresh-clone totals on 2 cores varied with the machine's speed
# (1,593–2,283 s; BENCHMARKS-style comparisons need one quiet hour). Stopped if the script
# stops early.
wasm_log=target/build-wasm.log
if [ "${MEDZK_SKIP_WASM:-0}" != 1 ]; then
  mkdir -p target
  echo "== WebAssembly packages: building in the background (log: $wasm_log)"
  # A process group of its own (job control on for this one job), so that it can be
  # stopped whole.
  set -m
  ./scripts/build-wasm.sh >"$wasm_log" 2>&1 &
  wasm_pid=$!
  set +m
  trap 'kill -- -"$wasm_pid" 2>/dev/null || true' EXIT
fi

echo "== Rust: unit, property, circuit, end-to-end, golden-corpus, CLI and PostgreSQL tests ($SECONDS s)"
cargo test --workspace --locked

if [ "${MEDZK_SKIP_WASM:-0}" = 1 ]; then
  exit 0
fi

echo "== WebAssembly packages: waiting for the build ($SECONDS s)"
if ! wait "$wasm_pid"; then
  cat "$wasm_log"
  echo "scripts/build-wasm.sh failed" >&2
  exit 1
fi
trap - EXIT
grep '^==' "$wasm_log"

echo "== Node tests of the wasm packages ($SECONDS s)"
# The CLI the Rust tests built (with the workspace's features): building it again with
# `-p medzk-cli` would resolve other features and recompile the whole tree.
export MEDZK_BIN="$PWD/target/debug/medzk"
test -x "$MEDZK_BIN"
(cd bindings/wasm && npm ci --no-audit --no-fund --silent && node --test tests/node/)

echo "== Browser test (headless Chromium) ($SECONDS s)"
if ! command -v chromium >/dev/null; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
(cd bindings/wasm && node --test tests/browser/)
echo "== done in $SECONDS s; screenshots in bindings/wasm/tests/artifacts/"

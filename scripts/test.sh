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

echo "== Rust: unit, property, circuit, end-to-end, golden-corpus, CLI and PostgreSQL tests"
cargo test --workspace --locked

if [ "${MEDZK_SKIP_WASM:-0}" = 1 ]; then
  exit 0
fi

echo "== WebAssembly package"
./scripts/build-wasm.sh

echo "== Node tests of the wasm package"
# The CLI the Rust tests built (with the workspace's features): building it again with
# `-p medzk-cli` would resolve other features and recompile the whole tree.
export MEDZK_BIN="$PWD/target/debug/medzk"
test -x "$MEDZK_BIN"
(cd bindings/wasm && npm ci --no-audit --no-fund --silent && node --test tests/node/)

echo "== Browser test (headless Chromium)"
if ! command -v chromium >/dev/null; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
(cd bindings/wasm && node --test tests/browser/)
echo "== screenshots in bindings/wasm/tests/artifacts/"

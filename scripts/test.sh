#!/usr/bin/env bash
# The test suite, as CI and a new user run it: `./scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust: unit, property, circuit, end-to-end and CLI tests"
cargo test --workspace --locked

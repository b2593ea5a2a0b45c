#!/usr/bin/env bash
# A bounded load test of `medzk serve` on loopback (32 clients, 20,000 path requests,
# 2,000 signed appends), on redb and on a throwaway PostgreSQL server; finishes by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --locked -p medzk-benches --bin load_test

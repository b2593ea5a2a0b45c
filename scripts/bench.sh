#!/usr/bin/env bash
# Every criterion bench, then the prove bench again with 1 and 2 rayon threads.
# Reports land in target/criterion/ (HTML in target/criterion/report/index.html).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked -p medzk-benches "$@"
for threads in 1 2; do
  RAYON_NUM_THREADS=$threads cargo bench --locked -p medzk-benches --bench prove "$@"
done

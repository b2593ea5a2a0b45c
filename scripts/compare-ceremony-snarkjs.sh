#!/usr/bin/env bash
# The ceremony side by side: medzk's phase-1 contribution and verification at 2^POWER
# (`ceremony_timings`), then snarkjs's `powersoftau new|contribute|verify` over the same
# curve (BLS12-381) and size, in one run on the same machine. snarkjs is pinned by
# benches/snarkjs/package-lock.json.
#   ./scripts/compare-ceremony-snarkjs.sh [POWER]     (default 16)
set -euo pipefail
cd "$(dirname "$0")/.."
power=${1:-16}
root=$PWD
work=$root/target/snarkjs-ceremony
mkdir -p "$work"

echo "== npm: snarkjs"
(cd benches/snarkjs && npm ci --no-audit --no-fund --silent)
bin=$root/benches/snarkjs/node_modules/.bin

echo "== medzk (ceremony_timings $power)"
cargo run --release --locked -q -p medzk-benches --bin ceremony_timings -- "$power" phase1

timed() {
  local what=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v w="$what" -v s="$start" -v e="$end" 'BEGIN { printf "%s: %.1f s\n", w, e - s }'
}

cd "$work"
rm -f p0.ptau p1.ptau p2.ptau
echo "== snarkjs powersoftau, bls12381, 2^$power"
timed "snarkjs: new" "$bin/snarkjs" powersoftau new bls12381 "$power" p0.ptau
timed "snarkjs: first contribution" "$bin/snarkjs" powersoftau contribute p0.ptau p1.ptau --name=one -e="medzk comparison 1"
timed "snarkjs: second contribution" "$bin/snarkjs" powersoftau contribute p1.ptau p2.ptau --name=two -e="medzk comparison 2"
echo "snarkjs: file $(stat -c %s p2.ptau | awk '{ printf "%.1f MB", $1 / 1e6 }')"
timed "snarkjs: verify two contributions" "$bin/snarkjs" powersoftau verify p2.ptau

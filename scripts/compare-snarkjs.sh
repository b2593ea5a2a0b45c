#!/usr/bin/env bash
# Side-by-side: medzk and snarkjs on the vaccination statement (depth 32), one run.
#
# Installs snarkjs and circom2 from npm (pinned in benches/snarkjs/package-lock.json),
# writes the statement as a circom circuit over the BLS12-381 field from medzk's own
# Poseidon parameters with a witness from the benches' fixture, compiles it (--O2),
# runs a snarkjs Groth16 setup (a throwaway powers-of-tau, cached in target/snarkjs; the
# first run takes several minutes), then times medzk and snarkjs and prints the ratio.
# RAYON_NUM_THREADS limits medzk's threads; snarkjs uses all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/snarkjs
mkdir -p "$work"
runs=${1:-7}

echo "== npm: snarkjs, circom2"
(cd benches/snarkjs && npm ci --no-audit --no-fund --silent)
bin=$root/benches/snarkjs/node_modules/.bin

echo "== medzk: circuit, witness and timings"
cargo run --release --locked -q -p medzk-benches --bin snarkjs_compare -- "$work"

cd "$work"
echo "== circom2 --O2 --prime bls12381"
"$bin/circom2" vaccination.circom --r1cs --wasm --O2 --prime bls12381 -o . | grep -E "constraints|wires"
node vaccination_js/generate_witness.js vaccination_js/vaccination.wasm input.json witness.wtns

if [ ! -f pot13.ptau ]; then
  echo "== powers of tau (2^13, throwaway; cached)"
  "$bin/snarkjs" powersoftau new bls12381 13 pot0.ptau >/dev/null
  "$bin/snarkjs" powersoftau contribute pot0.ptau pot1.ptau --name=bench -e="medzk comparison" >/dev/null
  "$bin/snarkjs" powersoftau prepare phase2 pot1.ptau pot13.ptau >/dev/null
  rm -f pot0.ptau pot1.ptau
fi
if ! sha256sum --status -c r1cs.sha256 2>/dev/null || [ ! -f vkey.json ]; then
  echo "== snarkjs groth16 setup"
  "$bin/snarkjs" groth16 setup vaccination.r1cs pot13.ptau v.zkey >/dev/null
  "$bin/snarkjs" zkey export verificationkey v.zkey vkey.json >/dev/null
  sha256sum vaccination.r1cs > r1cs.sha256
fi

echo "== snarkjs timings"
node "$root/benches/snarkjs/compare.mjs" "$work" "$runs"

#!/usr/bin/env bash
# WebAssembly numbers for BENCHMARKS.md, beside native numbers from the same run:
# wasm size (raw, gzip), vaccination proving and verification medians in Node, in Chromium
# (one thread and two) and natively.
#   ./scripts/bench-wasm.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -f bindings/wasm/packages/verifier/wasm/medzk_wasm_verifier.js ] || ./scripts/build-wasm.sh
cargo build --locked --release -p medzk-cli -p medzk-benches --quiet
m=target/release/medzk
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(
  cd "$dir"
  $OLDPWD/$m setup --statement vaccination --seed bench --pk k.pk --vk k.vk 2>/dev/null | awk '{print $NF}' > k.vk-hash
  $OLDPWD/$m registry init --registry reg.redb >/dev/null
  h=$($OLDPWD/$m holder keygen --out h.key)
  $OLDPWD/$m issue immunization --registry reg.redb --holder-id "$h" --issuer c --out c.json \
    --vaccine 'cvx|208' --date 2026-10-01 --dose 2 --series 2 --lot L >/dev/null
  $OLDPWD/$m registry path --registry reg.redb --index 0 --out p.json >/dev/null
  cp "$OLDPWD/examples/policies/border-vaccination.json" policy.json
)
for wasm in bindings/wasm/packages/verifier/wasm/medzk_wasm_verifier_bg.wasm bindings/wasm/packages/prover/wasm/medzk_wasm_bg.wasm \
  bindings/wasm/packages/prover/wasm-threads/medzk_wasm_bg.wasm; do
  echo "$wasm: $(stat -c %s $wasm) bytes raw, $(gzip -9 -c $wasm | wc -c) bytes gzip"
done
for p in verifier prover; do
  tgz=$(cd bindings/wasm/packages/$p && npm pack --silent --pack-destination "$dir")
  echo "@medzk/$p npm tarball: $(stat -c %s "$dir/$tgz") bytes"
done
echo "node $(node --version), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "wasm (Node, 1 thread):   $(node bindings/wasm/bench/bench.mjs bindings/wasm/packages "$dir" "$runs")"
command -v chromium >/dev/null && [ -d bindings/wasm/node_modules/playwright-core ] &&
  echo "Chromium (page + worker): $(cd bindings/wasm && node bench/browser.mjs "$dir" "$runs")"
echo "native (1 thread):       $(RAYON_NUM_THREADS=1 target/release/native_timings "$dir" "$runs")"
echo "native (all threads):    $(target/release/native_timings "$dir" "$runs")"

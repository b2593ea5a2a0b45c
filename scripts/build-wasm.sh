#!/usr/bin/env bash
# Builds the medzk WebAssembly packages (docs/wasm.md):
#   bindings/wasm/packages/verifier  @medzk/verifier: medzk-wasm-verifier, built for size
#   bindings/wasm/packages/prover    @medzk/prover: medzk-wasm (prover, verifier re-exported)
#   bindings/wasm/dist               the kiosk and wallet pages of bindings/wasm/www, with
#                                    both packages beside them
# Each package holds a wasm-bindgen `web` build, which Node loads too (from the file); the
# prover has a second one with threads (packages/prover/wasm-threads) for cross-origin
# isolated pages.
#
# The rustup toolchain on our machines ships no wasm32 standard library and cannot
# download one, so this uses Debian's rustc-web with its library sources: std is
# rebuilt for wasm32 with -Zbuild-std and linked with lld's wasm-ld. wasm-bindgen-cli is
# installed from crates.io at exactly the version in Cargo.lock. Everything is
# installed on first use (Debian packages need root); later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library ] || ! command -v wasm-ld >/dev/null; then
  echo "== installing Debian's rustc-web, rust-web-src and lld"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq rustc-web cargo-web rust-web-src lld >/dev/null
fi

version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $version\$"; then
  echo "== installing wasm-bindgen-cli $version"
  cargo install wasm-bindgen-cli --version "$version" --locked --quiet
fi

build() { # PROFILE ARGS... (into $target_dir, with $RUSTFLAGS)
  local profile=$1
  shift
  RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
    CARGO_TARGET_DIR=${target_dir:-target/wasm} \
    /usr/bin/cargo build --locked --profile "$profile" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort "$@"
}
echo "== building medzk-wasm (the prover) for wasm32-unknown-unknown"
build release -p medzk-wasm
# The kiosk downloads the verifier: its own crate, without the prover, optimised for size
# (verification is as fast as at opt-level 3: BENCHMARKS.md "WebAssembly").
# The pages' QR encoder and decoder (where the browser has no BarcodeDetector) likewise.
# Their panics (bugs: bad input gets a typed error) abort at once, without formatting a
# message nobody would read: 18 KB less gzipped verifier, where rustc has that panic
# strategy (rustc-web 1.96 has; older ones build as before).
size_flags=""
if RUSTC_BOOTSTRAP=1 /usr/bin/rustc -Zunstable-options -Cpanic=immediate-abort --print cfg >/dev/null 2>&1; then
  size_flags="-Zunstable-options -Cpanic=immediate-abort"
fi
echo "== building medzk-wasm-verifier and medzk-wasm-qr for wasm32-unknown-unknown (size profile)"
RUSTFLAGS="$size_flags" build wasm-size -p medzk-wasm-verifier -p medzk-wasm-qr
# The prover again with threads (rayon on Web Workers sharing one memory): std rebuilt with
# atomics, its own target directory. Pages that are cross-origin isolated load it.
echo "== building medzk-wasm with threads (atomics, shared memory) for wasm32-unknown-unknown"
# The memory is imported and shared (wasm-bindgen then makes each worker instantiate the module
# over it), up to 4 GiB, with the thread-local storage symbols its workers call.
threads_link="--shared-memory --import-memory --max-memory=4294967296 --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base"
RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals $(printf -- ' -C link-arg=%s' $threads_link)" \
  target_dir=target/wasm-threads build release -p medzk-wasm --features threads

# The formats crate (credential import) builds for wasm32 too, for wallets that import in
# the page: checked on request (MEDZK_CHECK_FORMATS_WASM=1; a minute and a half of 2 cores,
# left out of the test suite's time budget).
if [ "${MEDZK_CHECK_FORMATS_WASM:-0}" = 1 ]; then
  echo "== checking medzk-formats for wasm32-unknown-unknown"
  RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_DIR=target/wasm \
    /usr/bin/cargo check --locked --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort -p medzk-formats
fi

out=target/wasm/wasm32-unknown-unknown
rm -rf bindings/wasm/pkg # the layout before the two packages
for p in prover:release/medzk_wasm verifier:wasm-size/medzk_wasm_verifier; do
  dir=bindings/wasm/packages/${p%%:*}
  rm -rf "$dir/wasm"
  wasm-bindgen --target web --out-dir "$dir/wasm" "$out/${p#*:}.wasm"
  cp LICENSE-MIT LICENSE-APACHE "$dir/"
done
rm -rf bindings/wasm/packages/prover/wasm-threads
wasm-bindgen --target web --out-dir bindings/wasm/packages/prover/wasm-threads \
  target/wasm-threads/wasm32-unknown-unknown/release/medzk_wasm.wasm
# A static site: the kiosk and wallet pages with both packages and the QR module beside them.
rm -rf bindings/wasm/dist
cp -r bindings/wasm/www bindings/wasm/dist
wasm-bindgen --target web --out-dir bindings/wasm/dist/qr "$out/wasm-size/medzk_wasm_qr.wasm"
for p in verifier prover; do
  mkdir -p bindings/wasm/dist/$p
  (cd bindings/wasm/packages/$p && cp -r --parents $(node -p "require('./package.json').files.join(' ')") ../../dist/$p/)
done
for f in bindings/wasm/packages/verifier/wasm/medzk_wasm_verifier_bg.wasm bindings/wasm/packages/prover/wasm/medzk_wasm_bg.wasm \
  bindings/wasm/packages/prover/wasm-threads/medzk_wasm_bg.wasm; do
  echo "== $f: $(stat -c %s "$f") bytes ($(gzip -9 -c "$f" | wc -c) gzipped)"
done

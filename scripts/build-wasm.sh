#!/usr/bin/env bash
# Builds the medzk WebAssembly packages:
#   bindings/wasm/pkg/node   (wasm-bindgen --target nodejs)
#   bindings/wasm/pkg/web    (wasm-bindgen --target web)
#   bindings/wasm/dist       (the kiosk and wallet pages of bindings/wasm/www, with pkg/web)
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

echo "== building medzk-wasm for wasm32-unknown-unknown"
RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
  CARGO_TARGET_DIR=target/wasm \
  /usr/bin/cargo build --locked --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort -p medzk-wasm

# The formats crate (credential import) must build for wasm32 too, so a wallet can import.
echo "== checking medzk-formats for wasm32-unknown-unknown"
RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_DIR=target/wasm \
  /usr/bin/cargo check --locked --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort -p medzk-formats

wasm=target/wasm/wasm32-unknown-unknown/release/medzk_wasm.wasm
rm -rf bindings/wasm/pkg
wasm-bindgen --target nodejs --out-dir bindings/wasm/pkg/node "$wasm"
wasm-bindgen --target web --out-dir bindings/wasm/pkg/web "$wasm"
# The nodejs output is CommonJS; mark it so inside the ES-module package around it.
cat > bindings/wasm/pkg/node/package.json <<'JSON'
{ "name": "medzk-wasm", "type": "commonjs", "main": "medzk_wasm.js", "types": "medzk_wasm.d.ts" }
JSON
cat > bindings/wasm/pkg/web/package.json <<'JSON'
{ "name": "medzk-wasm-web", "type": "module", "module": "medzk_wasm.js", "types": "medzk_wasm.d.ts" }
JSON
# A static site: the kiosk and wallet pages with the web package under pkg/.
rm -rf bindings/wasm/dist
cp -r bindings/wasm/www bindings/wasm/dist
cp -r bindings/wasm/pkg/web bindings/wasm/dist/pkg
size=$(stat -c %s bindings/wasm/pkg/web/medzk_wasm_bg.wasm)
gz=$(gzip -9 -c bindings/wasm/pkg/web/medzk_wasm_bg.wasm | wc -c)
echo "== wrote bindings/wasm/pkg/{node,web}: medzk_wasm_bg.wasm $size bytes ($gz gzipped)"

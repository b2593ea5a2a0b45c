#!/usr/bin/env bash
# Makes a kiosk site from a directory holding config.json and the files it names (the
# verifying key, the policy; the signed head when it is served from the same place):
#   ./scripts/kiosk-site.sh SITE_DIR
# copies the kiosk page and @medzk/verifier (never the prover) from bindings/wasm/dist into
# SITE_DIR and pins config.json's SHA-256 in kiosk.html, so the kiosk runs with this
# configuration only (docs/wasm.md). Run ./scripts/build-wasm.sh first. Serve SITE_DIR
# from one origin over HTTPS (or localhost).
set -euo pipefail
site=${1:?usage: kiosk-site.sh SITE_DIR}
dist="$(cd "$(dirname "$0")/.." && pwd)/bindings/wasm/dist"
[ -f "$dist/kiosk.html" ] || { echo "no $dist/kiosk.html: run ./scripts/build-wasm.sh first" >&2; exit 1; }
[ -f "$site/config.json" ] || { echo "no $site/config.json (docs/wasm.md lists its fields)" >&2; exit 1; }
for f in kiosk.js common.js policy-words.js qr.js store.js style.css; do cp "$dist/$f" "$site/"; done
rm -rf "$site/verifier" "$site/qr"
cp -r "$dist/verifier" "$dist/qr" "$site/"
hash=$(sha256sum "$site/config.json" | cut -d' ' -f1)
sed "s|<meta name=\"medzk-config-sha256\" content=\"[0-9a-f]*\">|<meta name=\"medzk-config-sha256\" content=\"$hash\">|" \
  "$dist/kiosk.html" > "$site/kiosk.html.tmp"
grep -q "content=\"$hash\"" "$site/kiosk.html.tmp" || { echo "kiosk.html has no config hash to pin" >&2; exit 1; }
mv "$site/kiosk.html.tmp" "$site/kiosk.html"
echo "kiosk site in $site (config.json sha256 $hash)"

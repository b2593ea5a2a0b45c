#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/) for SECONDS seconds each (default 60) with
# libFuzzer via cargo-fuzz on the nightly toolchain; a crash, a panic or an allocation
# above 512 MiB fails the run. Installs cargo-fuzz from crates.io on first use.
#   ./scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(presentation verifying_key proving_key policy_json holder_files registry_file ceremony_files import_shc import_dcc import_fhir qr_request)
# Seed corpora from the golden vectors and example files.
mkdir -p fuzz/corpus/presentation fuzz/corpus/verifying_key fuzz/corpus/policy_json fuzz/corpus/holder_files \
  fuzz/corpus/import_shc fuzz/corpus/import_dcc fuzz/corpus/import_fhir
cp tests/vectors/*.bin fuzz/corpus/presentation/
cp tests/vectors/vaccination.vk fuzz/corpus/verifying_key/
cp examples/policies/*.json tests/vectors/policy.json fuzz/corpus/policy_json/
# Real credentials where the reference data is present (never committed).
if [ -d ../shared/realworld ]; then
  cp ../shared/realworld/shc/*-d-jws.txt ../shared/realworld/shc/*-f-qr-*.txt ../shared/realworld/shc/*.smart-health-card fuzz/corpus/import_shc/
  python3 -c 'import json,glob,sys
for i,f in enumerate(sorted(glob.glob("../shared/realworld/dcc/testdata/*.json"))):
    open("fuzz/corpus/import_dcc/%d.txt" % i, "w").write(json.load(open(f))["PREFIX"])'
  cp ../shared/realworld/shc/*-a-fhirBundle.json fuzz/corpus/import_fhir/
fi
for t in "${targets[@]}"; do
  echo "== fuzzing $t for ${seconds}s"
  log="fuzz/$t.log"
  if ! cargo +nightly fuzz run "$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz target $t failed (log: $log, reproducer: fuzz/artifacts/$t/)"
    exit 1
  fi
  grep -E "^Done|stat::number_of_executed_units" "$log" || true
done
echo "== all targets ran ${seconds}s without a crash"

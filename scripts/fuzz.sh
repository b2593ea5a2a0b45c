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
[ ${#targets[@]} -gt 0 ] || targets=(presentation verifying_key proving_key policy_json holder_files registry_file ceremony_files)
# Seed corpora from the golden vectors and example files.
mkdir -p fuzz/corpus/presentation fuzz/corpus/verifying_key fuzz/corpus/policy_json fuzz/corpus/holder_files
cp tests/vectors/*.bin fuzz/corpus/presentation/
cp tests/vectors/vaccination.vk fuzz/corpus/verifying_key/
cp examples/policies/*.json tests/vectors/policy.json fuzz/corpus/policy_json/
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

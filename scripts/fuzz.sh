#!/usr/bin/env bash
# Runs both fuzz targets for SECONDS each (default 600), one per core, with the nightly toolchain
# and cargo-fuzz (installed from crates.io if missing). Findings land in fuzz/artifacts/<target>/;
# each one fixed is copied to fuzz/regressions/<target>/, which tests/fuzz_regressions.rs replays
# in the normal test suite. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz
cargo +nightly fuzz build
pids=()
for target in decode_classify samples_classify; do
  mkdir -p "corpus/$target"
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -max_len=40000 -timeout=30 -print_final_stats=1 \
    > "artifacts-$target.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || status=1
done
for target in decode_classify samples_classify; do
  echo "== $target: $(grep -E '^stat::number_of_executed_units' "artifacts-$target.log" | awk '{print $2}') runs"
  grep -E 'SUMMARY|Test unit written' "artifacts-$target.log" || echo "   no finding"
done
exit $status

#!/usr/bin/env bash
# Nested leave-one-corpus-out: for each corpus X, protocol (d) over the other corpora (each of
# them held out in turn, trained on the rest), X never read. The inner folds' mean UAR is a
# validation figure for choices about unheard corpora (plain, and each held-out set standardised
# by its own statistics); X's own (d) figure stays the test. Twenty networks for five corpora.
# Usage: scripts/nested_loco.sh [train options, e.g. --seed 11]; CORPORA and OUT override the
# corpora set aside (ravdess tess savee nemo ased) and the output (target/nested-loco).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-target/nested-loco}"
corpora="${CORPORA:-ravdess tess savee nemo ased}"
cargo build --release -p train --quiet
train="${CARGO_TARGET_DIR:-target}/release/train"
for corpus in $corpora; do
  echo "=== $corpus set aside ==="
  "$train" train --protocols d --leave-out "$corpus" --out "$out/$corpus" "$@"
done
python3 scripts/nested_loco_summary.py "$out" $corpora

#!/usr/bin/env bash
# The whole test suite: formatting, clippy (native and wasm32), every workspace test, the wasm32
# build and the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "setup"
scripts/setup.sh browser

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm32 library)"
cargo clippy --target wasm32-unknown-unknown -p speech-emotion --lib -- -D warnings

step "workspace tests"
cargo test --workspace

# The browser tests check behaviour, which link-time optimisation does not change; the page's
# fat-LTO build (scripts/run.sh) takes minutes longer and is measured by www/bench.mjs instead.
step "wasm32 release build (without the page's link-time optimisation)"
WASM_PROFILE=release scripts/build-wasm.sh

step "browser tests (headless Chromium)"
(cd www && node --test tests/)

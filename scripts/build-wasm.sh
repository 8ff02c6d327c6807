#!/usr/bin/env bash
# Builds the library for wasm32 and generates the ES module bindings in www/pkg.
#   WASM_PROFILE=wasm-release (default, the page's: fat LTO, one codegen unit, symbols stripped)
#   WASM_PROFILE=release      (the test suite's: the same code, built minutes sooner, larger)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${WASM_PROFILE:-wasm-release}"
cargo build --profile "$profile" --target wasm32-unknown-unknown -p speech-emotion --lib
# strip = true removes the target_features section wasm-bindgen reads; the build enables no
# feature it would act on, so its warning about it is expected.
wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$profile/speech_emotion.wasm" 2>&1 |
  grep -v "target_features. custom section is missing" >&2 || true

#!/usr/bin/env bash
# Builds the library for wasm32 and generates the ES module bindings in www/pkg.
#   WASM_PROFILE=wasm-release (default, the page's: fat LTO, one codegen unit, symbols stripped,
#                             then binaryen's wasm-opt -Oz when scripts/setup.sh installed it)
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

# wasm-opt -Oz takes 1.3 % more off the gzipped page build (about 100 s on 2 cores); same code,
# so the test suite's build skips it.
wasm_opt=www/node_modules/.bin/wasm-opt
if [ "$profile" = wasm-release ] && [ -x "$wasm_opt" ]; then
  "$wasm_opt" -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    www/pkg/speech_emotion_bg.wasm -o www/pkg/speech_emotion_bg.wasm
fi

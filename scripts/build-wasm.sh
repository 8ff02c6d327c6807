#!/usr/bin/env bash
# Builds the library for wasm32 in release mode and generates the ES module bindings in www/pkg.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --target wasm32-unknown-unknown -p speech-emotion --lib
wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/speech_emotion.wasm"

#!/usr/bin/env bash
# Installs what the project needs, idempotently and only from the package registries
# (rustup's target, crates.io, Debian, npm). Fast when everything is already there.
#   scripts/setup.sh            the wasm32 target, wasm-bindgen-cli and (npm) binaryen's wasm-opt
#   scripts/setup.sh browser    also Debian's Chromium + ChromeDriver and playwright-core
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must be exactly the version the lock file pins for the wasm-bindgen crate.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found '${have:-none}')"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# binaryen's wasm-opt (npm) shrinks the page's wasm; the page still builds without it, larger.
if [ ! -x www/node_modules/.bin/wasm-opt ] || [ ! -d www/node_modules/playwright-core ]; then
  if command -v npm >/dev/null; then
    log "installing binaryen (wasm-opt) and playwright-core from npm"
    (cd www && npm ci --no-audit --no-fund --loglevel=error)
  else
    log "npm not found: the page's wasm will not go through wasm-opt (about 1 % larger gzipped)"
  fi
fi

if [ "${1:-}" = "browser" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing Debian's chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if [ ! -d www/node_modules/playwright-core ]; then
    log "installing playwright-core from npm (no browser download: Debian's chromium is used)"
    (cd www && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

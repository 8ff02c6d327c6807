#!/usr/bin/env bash
# The main job: install what is missing, build the wasm with the shipped model, serve www/.
#   scripts/run.sh [PORT]     (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8080}"
scripts/setup.sh
scripts/build-wasm.sh
echo
echo "Speech emotion recognizer: open http://localhost:$port/ (Ctrl-C to stop)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www

#!/usr/bin/env bash
# Native feature benchmark against librosa and the FFT floor (issue #12): installs librosa into
# target/bench-venv from PyPI on first use, then runs scripts/bench_librosa.py.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import librosa, soundfile' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet librosa soundfile
fi
exec "$venv/bin/python" scripts/bench_librosa.py "$@"

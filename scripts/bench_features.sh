#!/usr/bin/env bash
# Native feature benchmark against librosa and the FFT floor (issue #12): installs librosa into
# target/bench-venv from PyPI on first use, then runs scripts/bench_librosa.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench_venv.sh
py=$(bench_python librosa soundfile)
exec "$py" scripts/bench_librosa.py "$@"

#!/usr/bin/env bash
# What changes between each corpus's neutral and sad clips (README, session 43): installs librosa
# into target/bench-venv from PyPI on first use, then runs scripts/sad_cues.py [--per-class N].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench_venv.sh
py=$(bench_python librosa soundfile)
exec "$py" scripts/sad_cues.py "$@"

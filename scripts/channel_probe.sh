#!/usr/bin/env bash
# How a model's answers on RAVDESS move when only the recording changes (README, session 35):
# installs librosa into target/bench-venv from PyPI on first use, builds `train`, then runs
# scripts/channel_probe.py MODEL [CHANGE...].
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import librosa, soundfile, scipy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet librosa soundfile scipy
fi
cargo build --release -p train --quiet
exec "$venv/bin/python" scripts/channel_probe.py "$@"

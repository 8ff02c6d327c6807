#!/usr/bin/env bash
# What changes between each corpus's neutral and sad clips (README, session 43): installs librosa
# into target/bench-venv from PyPI on first use, then runs scripts/sad_cues.py [--per-class N].
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import librosa, soundfile' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet librosa soundfile
fi
exec "$venv/bin/python" scripts/sad_cues.py "$@"

#!/usr/bin/env bash
# How a model's answers on RAVDESS move when only the recording changes (README, session 35):
# installs librosa into target/bench-venv from PyPI on first use, builds `train`, then runs
# scripts/channel_probe.py MODEL [CHANGE...].
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench_venv.sh
py=$(bench_python librosa soundfile scipy)
cargo build --release -p train --quiet
exec "$py" scripts/channel_probe.py "$@"

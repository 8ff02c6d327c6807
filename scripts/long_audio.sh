#!/usr/bin/env bash
# Peak memory and time of `cargo run --release -p train -- predict` on long recordings (10 and 60 minutes of real speech, 48 kHz
# 16-bit WAV), measured with GNU time's maximum resident set size. Prints one line per file and
# the decoded samples' size to compare with. Usage: scripts/long_audio.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
target="${CARGO_TARGET_DIR:-target}"
out="$target/long-audio"
mkdir -p "$out"
# numpy, scipy and soundfile write the files; the same venv as scripts/bench_features.sh, from PyPI.
. scripts/bench_venv.sh
py=$(bench_python numpy scipy soundfile)
cargo build --release -p train --quiet
for minutes in 10 60; do
  wav="$out/speech-${minutes}min.wav"
  [ -f "$wav" ] || "$py" scripts/long_audio.py "$data" "$wav" "$minutes"
done
# A 2 s file gives the baseline: the program, the model and the allocator's own memory.
"$py" - "$out/short.wav" <<'PY'
import sys, numpy as np, soundfile
t = np.arange(2 * 48_000) / 48_000
soundfile.write(sys.argv[1], (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 48_000, subtype="PCM_16")
PY
printf '%-22s %10s %14s %12s %9s %9s\n' file seconds "peak RSS MB" "16k f32 MB" "wall s" "CPU s"
for wav in "$out/short.wav" "$out/speech-10min.wav" "$out/speech-60min.wav"; do
  log="$out/time.log"
  /usr/bin/time -v "$target/release/train" predict --json "$wav" > "$out/predict.json" 2> "$log"
  seconds=$("$py" -c "import soundfile,sys; print(f'{soundfile.info(sys.argv[1]).duration:.0f}')" "$wav")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  cpu=$(awk -F': ' '/(User|System) time/ {sum += $2} END {print sum}' "$log")
  printf '%-22s %10s %14.1f %12.1f %9.1f %9.1f\n' "$(basename "$wav")" "$seconds" \
    "$(echo "$rss_kb / 1024" | bc -l)" "$(echo "$seconds * 16000 * 4 / 1048576" | bc -l)" "$wall" "$cpu"
done

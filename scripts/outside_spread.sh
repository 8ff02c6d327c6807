#!/usr/bin/env bash
# How the model's answers spread over speech from outside the corpora: espeak-ng voices (male,
# female, varied pitch and speed) saying everyday sentences, classified by `predict`. A model
# that answers one class for everything shows it here. Needs Debian's espeak-ng.
#   scripts/outside_spread.sh [--model models/emotion-cnn.json]
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/outside-speech
mkdir -p "$out"
sentences=(
  "I can't believe you did that to me again."
  "We are going to the beach tomorrow morning."
  "Please put the books back on the shelf."
  "That was the best news I have heard all year!"
  "I don't know what to do anymore."
  "Get out of my room right now."
  "The train leaves at seven fifteen."
  "Oh no, there is something moving in the dark."
)
voices=(en-us en-gb en-us+f3 en-gb+f4 en-us+m3 en-sc)
n=0
for v in "${voices[@]}"; do
  for i in "${!sentences[@]}"; do
    pitch=$(( 30 + (n * 17) % 50 ))
    speed=$(( 140 + (n * 23) % 60 ))
    espeak-ng -v "$v" -p "$pitch" -s "$speed" -w "$out/${v//+/_}_$i.wav" "${sentences[$i]}"
    n=$((n + 1))
  done
done
cargo run -q -p train -- predict "$out" --json "$@" > "$out/predictions.jsonl" || true
python3 - "$out/predictions.jsonl" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
counts = collections.Counter(r.get("emotion") or "no speech" for r in rows)
print(f"{len(rows)} synthetic utterances (espeak-ng, 6 voices x 8 sentences):")
for emotion, n in counts.most_common():
    print(f"  {emotion:<10} {n:>3}  {100 * n / len(rows):5.1f} %")
PY

#!/usr/bin/env bash
# How the model's answers spread over speech from outside the corpora: synthetic voices saying
# everyday sentences in a neutral reading voice, classified by `predict`. A model that answers
# one class for everything shows it here. Three engines, from crude to closest to a human voice:
# espeak-ng (formant synthesis; 6 voices), flite (4 built-in voices: diphone and statistical)
# and festival (2 diphone voices made from a real speaker's recordings, 1 HTS voice). Needs
# Debian's espeak-ng, flite, festival, festvox-kallpc16k, festvox-kdlpc16k, festvox-us-slt-hts;
# an engine that is missing is reported and left out.
#   scripts/outside_spread.sh [--model models/emotion-cnn.json]
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/outside-speech
rm -rf "$out"
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
if command -v espeak-ng > /dev/null; then
  n=0
  for v in en-us en-gb en-us+f3 en-gb+f4 en-us+m3 en-sc; do
    for i in "${!sentences[@]}"; do
      pitch=$(( 30 + (n * 17) % 50 ))
      speed=$(( 140 + (n * 23) % 60 ))
      espeak-ng -v "$v" -p "$pitch" -s "$speed" -w "$out/espeak-${v//+/_}_$i.wav" "${sentences[$i]}"
      n=$((n + 1))
    done
  done
else
  echo "espeak-ng is not installed: left out" >&2
fi
if command -v flite > /dev/null; then
  for v in kal16 awb rms slt; do
    for i in "${!sentences[@]}"; do
      flite -voice "$v" -t "${sentences[$i]}" -o "$out/flite-${v}_$i.wav"
    done
  done
else
  echo "flite is not installed: left out" >&2
fi
if command -v text2wave > /dev/null; then
  for v in kal_diphone ked_diphone cmu_us_slt_arctic_hts; do
    if ! echo "test" | text2wave -eval "(voice_$v)" -o /dev/null 2> /dev/null; then
      echo "festival voice $v is not installed: left out" >&2
      continue
    fi
    for i in "${!sentences[@]}"; do
      echo "${sentences[$i]}" | text2wave -eval "(voice_$v)" -o "$out/festival-${v}_$i.wav"
    done
  done
else
  echo "festival is not installed: left out" >&2
fi
cargo run -q -p train -- predict "$out" --json "$@" > "$out/predictions.jsonl" || true
python3 - "$out/predictions.jsonl" <<'PY'
import collections, json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by_engine = collections.defaultdict(list)
for r in rows:
    by_engine[os.path.basename(r["file"]).split("-")[0]].append(r.get("emotion") or r.get("error", "no speech")[:30])
for engine, answers in list(by_engine.items()) + [("all", [a for v in by_engine.values() for a in v])]:
    counts = collections.Counter(answers)
    spread = ", ".join(f"{e} {100 * n / len(answers):.0f} %" for e, n in counts.most_common())
    print(f"{engine:<9} {len(answers):>3} utterances: {spread}")
PY

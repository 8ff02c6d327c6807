"""How each corpus's actors tell sad from neutral: eight acoustic cues per clip, compared within speakers.

The held-out corpora's sad clips are answered neutral (SAVEE, nEMO) or fear (ASED) (README, (d)).
This measures, on the raw recordings (before any of the model's normalisation), what changes between
a speaker's neutral and sad clips in each corpus, so one can see whether the corpora agree on what
sad sounds like. For each cue it prints the mean over speakers of (sad mean - neutral mean), divided
by the corpus's within-class standard deviation (an effect size: 0.5 is a clear shift, 2 a large one),
then the raw means. "paired" counts the speakers with clips of both classes, over whom the
shifts are averaged.

Usage (scripts/sad_cues.sh sets up librosa): python scripts/sad_cues.py [--data DIR] [--per-class N]
"""
import argparse
import glob
import os
import random
import re

import librosa
import numpy as np
import soundfile as sf

CORPORA = {
    "ravdess": "ravdess/*/*.flac",
    "tess": "tess/*/*.flac",
    "savee": "savee/*.flac",
    "nemo": "nemo/*.flac",
    "ased": "ased/*/*.flac",
}
FRAME, HOP = 512, 256


def label_and_speaker(corpus, path):
    """(neutral | sad | None, speaker) from the corpus's own file names (data README)."""
    name = os.path.basename(path).split(".")[0]
    if corpus == "ravdess":
        parts = name.split("-")
        return {1: "neutral", 4: "sad"}.get(int(parts[2])), parts[6]
    if corpus == "tess":
        parts = name.split("_")
        return {"neutral": "neutral", "sad": "sad"}.get(parts[-1].lower()), parts[0]
    if corpus == "savee":
        m = re.match(r"([A-Z]+)_([a-z]+)\d+", name)
        return {"n": "neutral", "sa": "sad"}.get(m.group(2)), m.group(1)
    if corpus == "nemo":
        parts = name.split("_")
        return {"neutral": "neutral", "sadness": "sad"}.get(parts[1]), parts[0]
    folder = os.path.basename(os.path.dirname(path))
    parts = name.split("-")
    return {"01Neutral": "neutral", "04Sad": "sad"}.get(folder), parts[3] + "-" + parts[4]


def cues(path):
    """The clip's cues over its active frames (within 35 dB of its loudest frame)."""
    y, sr = sf.read(path, dtype="float32")
    y = y - y.mean()
    db = 20 * np.log10(np.maximum(librosa.feature.rms(y=y, frame_length=FRAME, hop_length=HOP)[0], 1e-5))
    active = db > db.max() - 35
    first, last = np.flatnonzero(active)[[0, -1]]
    power = np.abs(librosa.stft(y, n_fft=FRAME, hop_length=HOP)) ** 2
    hz = librosa.fft_frequencies(sr=sr, n_fft=FRAME)
    low = power[(hz >= 50) & (hz < 1000)].sum(0)[active].mean()
    high = power[(hz >= 1000) & (hz < 4000)].sum(0)[active].mean()
    f0, voiced, _ = librosa.pyin(
        y, fmin=65, fmax=500, sr=sr, frame_length=1024, hop_length=HOP, resolution=1.0, n_thresholds=20
    )
    semitones = 12 * np.log2(f0[voiced & ~np.isnan(f0)] / 100)
    enough = len(semitones) > 10
    return {
        "speech s": (last - first + 1) * HOP / sr,
        "level dB": db[active].mean(),
        "level sd": db[active].std(),
        "1-4k/<1k dB": 10 * np.log10((high + 1e-10) / (low + 1e-10)),
        "F0 st": np.median(semitones) if enough else np.nan,
        "F0 range": np.percentile(semitones, 90) - np.percentile(semitones, 10) if enough else np.nan,
        "F0 slope": np.polyfit(np.arange(len(semitones)), semitones, 1)[0] * 100 if enough else np.nan,
        "voiced": voiced[: len(active)][active[: len(voiced)]].mean(),
    }


def paired_speakers(rows):
    """Speakers with at least one clip of each class."""
    return {s for s, label, _ in rows if label == "sad"} & {s for s, label, _ in rows if label == "neutral"}


def effect_size(rows, cue):
    """Mean over speakers of (sad mean - neutral mean) over the mean within-class deviation."""
    values = [(s, label, c[cue]) for s, label, c in rows if not np.isnan(c[cue])]
    shifts = []
    for speaker in sorted({s for s, _, _ in values}):
        sad = [v for s, label, v in values if s == speaker and label == "sad"]
        neutral = [v for s, label, v in values if s == speaker and label == "neutral"]
        if sad and neutral:
            shifts.append(np.mean(sad) - np.mean(neutral))
    spread = np.sqrt(np.mean([np.var([v for _, label, v in values if label == lab]) for lab in ("sad", "neutral")]))
    return np.mean(shifts) / spread


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--per-class", type=int, default=40, help="clips drawn per class and corpus (at most)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    random.seed(args.seed)
    measured = {}
    for corpus, pattern in CORPORA.items():
        drawn = {"neutral": [], "sad": []}
        for path in sorted(glob.glob(os.path.join(args.data, pattern))):
            label, speaker = label_and_speaker(corpus, path)
            if label:
                drawn[label].append((path, speaker))
        measured[corpus] = [
            (speaker, label, cues(path))
            for label, clips in drawn.items()
            for path, speaker in random.sample(clips, min(args.per_class, len(clips)))
        ]
    names = list(next(iter(measured.values()))[0][2])
    print("sad against neutral, effect size (within speakers; 0.5 clear, 2 large)")
    print(f"{'corpus':8} {'clips':>6} {'paired':>6} " + " ".join(f"{n:>11}" for n in names))
    for corpus, rows in measured.items():
        paired = len(paired_speakers(rows))
        print(f"{corpus:8} {len(rows):6} {paired:6} " + " ".join(f"{effect_size(rows, n):11.2f}" for n in names))
    print("\nmeans, neutral -> sad")
    for corpus, rows in measured.items():
        means = {lab: {n: np.nanmean([c[n] for _, label, c in rows if label == lab]) for n in names} for lab in ("neutral", "sad")}
        print(f"{corpus:8} " + "; ".join(f"{n} {means['neutral'][n]:.2f} -> {means['sad'][n]:.2f}" for n in names))


if __name__ == "__main__":
    main()

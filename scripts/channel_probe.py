#!/usr/bin/env python3
"""How a model's answers on RAVDESS move when the recording changes and the voices do not: each
clip as recorded and after one change to the audio (quieter, a DC offset, silence trimmed, white
noise, low-passed, a spectral tilt of -3 or +3 dB per octave, pitch and formants 2 semitones
lower). For each, the UAR over the 7 classes (calm counted as neutral) and the answers given most
often, from `train predict --json --model MODEL`. Run it on a network that never heard RAVDESS
(README, session 35) to see what a new room does to a new voice.

    scripts/channel_probe.sh MODEL [CHANGE...]    (installs librosa in target/bench-venv)

The altered clips are written once under target/channel-probe/<change>/ (32-bit float WAV).
"""

import collections
import json
import pathlib
import subprocess
import sys

import librosa
import numpy as np
import scipy.signal as signal
import soundfile as sf

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "ravdess"
OUT = ROOT / "target" / "channel-probe"
RATE = 16000
EMOTIONS = {1: "neutral", 2: "neutral", 3: "happy", 4: "sad", 5: "angry", 6: "fear",
            7: "disgust", 8: "surprise"}
LOW_PASS = signal.butter(8, 4000, "low", fs=RATE, output="sos")
RNG = np.random.default_rng(35)


def tilt(y: np.ndarray, db_per_octave: float) -> np.ndarray:
    """A spectral tilt about 1 kHz, as a microphone or a room adds one."""
    spectrum = np.fft.rfft(y)
    freqs = np.fft.rfftfreq(len(y), 1 / RATE)
    freqs[0] = freqs[1]
    gain = 10 ** (db_per_octave * np.log2(freqs / 1000) / 20)
    return np.fft.irfft(spectrum * gain, len(y))


def noise(y: np.ndarray, snr_db: float) -> np.ndarray:
    power = np.mean(y ** 2)
    return y + RNG.normal(0, np.sqrt(power / 10 ** (snr_db / 10)), len(y))


CHANGES = {
    "original": lambda y: y,
    "quiet-12db": lambda y: y * 10 ** (-12 / 20),
    "dc-offset": lambda y: y + 0.25 * np.sqrt(np.mean(y ** 2)),
    "trimmed": lambda y: librosa.effects.trim(y, top_db=40)[0],
    "noise20db": lambda y: noise(y, 20),
    "lowpass4k": lambda y: signal.sosfilt(LOW_PASS, y),
    "tilt-3db": lambda y: tilt(y, -3.0),
    "tilt+3db": lambda y: tilt(y, 3.0),
    "pitch-2st": lambda y: librosa.effects.pitch_shift(y, sr=RATE, n_steps=-2),
}


def altered(change: str) -> pathlib.Path:
    """The RAVDESS clips after `change`, written once (peaks kept below full scale)."""
    folder = OUT / change
    if folder.exists():
        return folder
    for path in sorted(SOURCE.glob("Actor_*/*.flac")):
        y, rate = sf.read(path, dtype="float32")
        if rate != RATE:
            sys.exit(f"{path}: {rate} Hz, expected the 16 kHz FLAC of ../shared/data")
        z = CHANGES[change](y).astype(np.float32)
        peak = np.abs(z).max()
        if peak > 0.999:
            z *= 0.999 / peak
        target = folder / path.parent.name / (path.stem + ".wav")
        target.parent.mkdir(parents=True, exist_ok=True)
        sf.write(target, z, rate, subtype="FLOAT")
    return folder


def report(model: str, change: str) -> str:
    done = subprocess.run(
        [str(ROOT / "target" / "release" / "train"), "predict", "--json", "--model", model,
         str(altered(change))], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"predict --model {model} failed: {done.stderr.strip()}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    confusion = collections.defaultdict(collections.Counter)
    answers = collections.Counter()
    for row in rows:
        truth = EMOTIONS[int(pathlib.Path(row["file"]).stem.split("-")[2])]
        confusion[truth][row["emotion"]] += 1
        answers[row["emotion"]] += 1
    uar = np.mean([c[e] / sum(c.values()) for e, c in confusion.items()])
    most = ", ".join(f"{a} {n / len(rows):.0%}" for a, n in answers.most_common(3))
    return f"{change:<11} {len(rows)} clips  UAR {uar:.3f}  answers most often: {most}"


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    model, changes = sys.argv[1], sys.argv[2:] or list(CHANGES)
    unknown = [c for c in changes if c not in CHANGES]
    if unknown:
        sys.exit(f"unknown change {unknown}; known: {', '.join(CHANGES)}")
    for change in changes:
        print(report(model, change), flush=True)


if __name__ == "__main__":
    main()

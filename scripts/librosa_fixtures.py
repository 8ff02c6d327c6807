#!/usr/bin/env python3
"""Write the golden librosa fixtures the Rust parity tests compare against.

For each synthetic signal (written as a 32-bit float WAV the Rust test decodes) and a few real
clips of ../shared/data (decoded by the Rust test from the corpus itself), this computes with
librosa exactly what the Rust `FeatureExtractor` computes with the default `FeatureConfig`, and
stores it as JSON under tests/fixtures/librosa/.

    pip install librosa==0.11.0 soundfile && python3 scripts/librosa_fixtures.py
"""

import json
import pathlib

import librosa
import numpy as np
import soundfile as sf

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "fixtures"

# Must match FeatureConfig::default() in src/features/config.rs.
CONFIG = dict(sr=16000, n_fft=512, hop_length=256, n_mels=64, n_mfcc=20, fmin=0.0, fmax=8000.0)

REAL_CLIPS = [
    "ravdess/Actor_03/03-01-05-02-01-01-03.flac",
    "tess/OAF_happy/OAF_bite_happy.flac",
    "savee/JE_sa07.flac",
]


def synthetic(sr: int) -> dict:
    rng = np.random.default_rng(1234)
    t = np.arange(int(0.75 * sr)) / sr
    square = np.sign(np.sin(2 * np.pi * 220 * t)) * 1.0
    click = np.zeros(sr // 2)
    click[4000] = 0.9
    return {
        "sine": 0.5 * np.sin(2 * np.pi * 440 * t),
        "chirp": 0.4 * np.sin(2 * np.pi * (100 * t + 0.5 * (4000 - 100) / t[-1] * t**2)),
        "white_noise": 0.2 * rng.standard_normal(len(t)),
        "silence": np.zeros(sr // 2),
        "click": click,
        "clipped_square": np.clip(1.5 * square, -1.0, 1.0),
    }


def features(y: np.ndarray) -> dict:
    c = CONFIG
    frame = dict(frame_length=c["n_fft"], hop_length=c["hop_length"])
    mel = librosa.feature.melspectrogram(
        y=y, sr=c["sr"], n_fft=c["n_fft"], hop_length=c["hop_length"], n_mels=c["n_mels"],
        fmin=c["fmin"], fmax=c["fmax"],
    )
    mfcc = librosa.feature.mfcc(
        y=y, sr=c["sr"], n_mfcc=c["n_mfcc"], n_fft=c["n_fft"], hop_length=c["hop_length"],
        n_mels=c["n_mels"], fmin=c["fmin"], fmax=c["fmax"],
    )
    # F0 by probabilistic YIN over 1024-sample frames on the same centres; 0 where unvoiced.
    f0, voiced, _ = librosa.pyin(
        y, fmin=70.0, fmax=500.0, sr=c["sr"], frame_length=1024, hop_length=c["hop_length"],
    )
    return {
        "pyin_f0": np.where(voiced, np.nan_to_num(f0), 0.0).astype(float).tolist(),
        "zcr": librosa.feature.zero_crossing_rate(y, **frame)[0].tolist(),
        "rms": librosa.feature.rms(y=y, **frame)[0].astype(float).tolist(),
        "mel": mel.astype(float).tolist(),
        "mfcc": mfcc.astype(float).tolist(),
    }


def write(name: str, source: str, y: np.ndarray) -> None:
    fixture = {"name": name, "source": source, "librosa": librosa.__version__, "config": CONFIG}
    fixture.update(features(y))
    path = OUT / "librosa" / f"{name}.json"
    path.write_text(json.dumps(fixture, separators=(",", ":")))
    print(f"{path.relative_to(ROOT)}: {len(y)} samples, {len(fixture['zcr'])} frames")


def main() -> None:
    (OUT / "librosa").mkdir(parents=True, exist_ok=True)
    (OUT / "signals").mkdir(parents=True, exist_ok=True)
    for name, signal in synthetic(CONFIG["sr"]).items():
        wav = OUT / "signals" / f"{name}.wav"
        sf.write(wav, signal.astype(np.float32), CONFIG["sr"], subtype="FLOAT")
        y, _ = sf.read(wav, dtype="float32")
        write(name, f"tests/fixtures/signals/{name}.wav", y)
    for clip in REAL_CLIPS:
        y, sr = sf.read(DATA / clip, dtype="float32")
        assert sr == CONFIG["sr"], (clip, sr)
        write(pathlib.Path(clip).stem, clip, y)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Time librosa on the same work as `cargo bench --bench features` (decode a 16 kHz WAV, then ZCR,
RMS and MFCC with the same parameters), run the Rust bench, and print for each clip librosa's
time, ours, and two floors measured in the Rust process, with the ratios: realfft's real FFTs of
the same frames and nothing else (the floor issue #12 set), and the half-length complex FFTs our
STFT folds each frame into (the transform as we compute it, and nothing else). Ours is timed on
one thread and, as the `features` command runs it, with a long clip's frames shared among every
core.

    scripts/bench_features.sh      (installs librosa in target/bench-venv, then runs this)

It first writes the two clips the Rust bench reads: target/bench/clip_3s.wav (a RAVDESS clip cut
to 3 s) and target/bench/clip_60s.wav (RAVDESS clips of actor 01 joined to 60 s), 16-bit 16 kHz.
"""

import json
import pathlib
import re
import subprocess
import timeit

import librosa
import numpy as np
import soundfile as sf

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "ravdess" / "Actor_01"
OUT = ROOT / "target" / "bench"
C = dict(sr=16000, n_fft=512, hop_length=256, n_mels=64, n_mfcc=20, fmin=0.0, fmax=8000.0)


def write_clips() -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    pieces = [sf.read(p, dtype="float32")[0] for p in sorted(DATA.glob("*.flac"))]
    joined = np.concatenate(pieces)
    clips = {"clip_3s.wav": joined[: 3 * C["sr"]], "clip_60s.wav": np.resize(joined, 60 * C["sr"])}
    for name, y in clips.items():
        sf.write(OUT / name, y, C["sr"], subtype="PCM_16")
    return {name: OUT / name for name in clips}


def librosa_features(path: pathlib.Path) -> None:
    y, _ = sf.read(path, dtype="float32")
    frame = dict(frame_length=C["n_fft"], hop_length=C["hop_length"])
    librosa.feature.zero_crossing_rate(y, **frame)
    librosa.feature.rms(y=y, **frame)
    librosa.feature.mfcc(y=y, sr=C["sr"], n_mfcc=C["n_mfcc"], n_fft=C["n_fft"],
                         hop_length=C["hop_length"], n_mels=C["n_mels"], fmin=C["fmin"], fmax=C["fmax"])


def rust_times() -> dict:
    out = subprocess.run(["cargo", "bench", "--bench", "features", "--", "--noplot"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    times = {}
    unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    pattern = r"((?:decode \+ )?zcr/rms/mfcc(?: on \d+ threads)?|(?:half )?fft floor) (clip_\w+\.wav)\s+time:\s+\[[\d.]+ \S+ ([\d.]+) (\S+)"
    for what, name, value, u in re.findall(pattern, out):
        times[(what, name)] = float(value) * unit[u]
    return times


def main() -> None:
    clips = write_clips()
    librosa_features(clips["clip_3s.wav"])  # warm up numba and the FFT plans
    rust = rust_times()
    rows = []
    for name, path in clips.items():
        runs = 5 if "60" in name else 30
        t = min(timeit.repeat(lambda: librosa_features(path), number=1, repeat=runs))
        ours = rust[("decode + zcr/rms/mfcc", name)]
        features = rust[("zcr/rms/mfcc", name)]
        floor = rust[("fft floor", name)]
        half = rust[("half fft floor", name)]
        (threads, split), = [(w, v) for (w, n), v in rust.items() if n == name and " on " in w]
        rows.append({"clip": name, "librosa_s": t, "rust_s": ours, "rust_features_s": features,
                     "fft_floor_s": floor, "half_fft_floor_s": half, "vs_librosa": t / ours,
                     "vs_floor": ours / floor, "vs_half_floor": ours / half,
                     "rust_all_cores_s": split, "all_cores_vs_librosa": t / split})
        print(f"{name}: librosa {t * 1e3:.2f} ms | ours {ours * 1e3:.3f} ms (features alone "
              f"{features * 1e3:.3f} ms) | FFT floor {floor * 1e3:.3f} ms | half-length FFT "
              f"floor {half * 1e3:.3f} ms")
        print(f"    {t / ours:.1f}x faster than librosa; {ours / floor:.2f}x the FFT floor "
              f"(features alone {features / floor:.2f}x); {ours / half:.2f}x the half-length "
              f"floor (features alone {features / half:.2f}x)")
        print(f"    on {threads.split(' on ')[1]}: {split * 1e3:.3f} ms, {t / split:.1f}x faster than "
              f"librosa (which runs on one; the floors are one thread's)")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()

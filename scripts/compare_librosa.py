#!/usr/bin/env python3
"""Compare `train features --json` with librosa on any 16 kHz file (or any file, with
librosa resampling it, which then differs by the resampler).

    python3 scripts/compare_librosa.py FILE [FILE ...]
"""

import json
import subprocess
import sys

import librosa
import numpy as np


def main() -> int:
    worst = 0.0
    for path in sys.argv[1:]:
        out = subprocess.run(
            ["cargo", "run", "-q", "-p", "train", "--", "features", path, "--json"],
            check=True, capture_output=True, text=True,
        ).stdout
        ours = json.loads(out)
        c = ours["config"]
        y, _ = librosa.load(path, sr=c["sr"], mono=True)
        frame = dict(frame_length=c["n_fft"], hop_length=c["hop_length"])
        zcr = librosa.feature.zero_crossing_rate(y, **frame)[0]
        rms = librosa.feature.rms(y=y, **frame)[0]
        mfcc = librosa.feature.mfcc(
            y=y, sr=c["sr"], n_mfcc=c["n_mfcc"], n_fft=c["n_fft"], hop_length=c["hop_length"],
            n_mels=c["n_mels"], fmin=c["fmin"], fmax=c["fmax"],
        )
        d_mfcc = np.abs(np.array(ours["mfcc"]) - mfcc).max()
        rel = d_mfcc / (mfcc.max() - mfcc.min())
        d_zcr = np.abs(np.array(ours["zcr"]) - zcr).max()
        d_rms = (np.abs(np.array(ours["rms"]) - rms) / np.maximum(rms, 1e-9)).max()
        print(f"{path}: {mfcc.shape[1]} frames; MFCC max |diff| {d_mfcc:.3g} "
              f"({rel:.2e} of range); ZCR max |diff| {d_zcr:.3g}; RMS max rel diff {d_rms:.2e}")
        worst = max(worst, rel)
    return 0 if worst < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Writes long recordings for the memory and time figures of `scripts/long_audio.sh`.

A recording is real speech: RAVDESS clips from ../shared/data in a fixed order, each followed by
a second of room noise, until the asked length, upsampled to 48 kHz (what phones and recorders
write) and saved as 16-bit mono WAV. Usage: long_audio.py DATA_ROOT OUT.wav MINUTES
"""

import sys
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

RATE_IN, RATE_OUT = 16_000, 48_000


def main(root: str, out: str, minutes: float) -> None:
    clips = sorted(Path(root, "ravdess").glob("Actor_*/*.flac"))
    if not clips:
        sys.exit(f"no RAVDESS clips under {root}")
    rng = np.random.default_rng(7)
    target = int(minutes * 60 * RATE_IN)
    pieces, total, index = [], 0, 0
    while total < target:
        speech, rate = soundfile.read(clips[index % len(clips)], dtype="float32")
        assert rate == RATE_IN, f"{clips[index]} is at {rate} Hz"
        gap = (0.002 * rng.standard_normal(RATE_IN)).astype(np.float32)
        pieces += [speech, gap]
        total += len(speech) + len(gap)
        index += 1
    audio = np.concatenate(pieces)[:target]
    audio = resample_poly(audio, RATE_OUT // RATE_IN, 1).astype(np.float32)
    soundfile.write(out, np.clip(audio, -1, 1), RATE_OUT, subtype="PCM_16")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))

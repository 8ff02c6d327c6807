//! Zero-crossing rate, exactly as `librosa.feature.zero_crossing_rate` computes it.

use std::ops::Range;

use super::frame::{Padding, block_len, frame_count, pad_center};

/// librosa's default `threshold`: samples this close to zero count as zero (positive).
const THRESHOLD: f32 = 1e-10;

/// The fraction of sign changes per frame: edge padding, a frame of `frame_length` samples every
/// `hop` samples, `zero_pos=True` (zero counts as positive) and the first sample of each frame
/// never counted, so the count is divided by `frame_length` though only `frame_length - 1` pairs
/// exist.
pub fn zero_crossing_rate(samples: &[f32], frame_length: usize, hop: usize) -> Vec<f32> {
    let padded = pad_center(samples, frame_length, Padding::Zeros);
    let pad = frame_length / 2;
    let mut out = Vec::new();
    let signal = pad..padded.len() - pad;
    extend_from_padded(
        &mut out,
        &mut Vec::new(),
        &padded,
        signal,
        frame_length,
        hop,
    );
    out
}

/// Appends to `out` the [`zero_crossing_rate`] of the signal `padded[signal]`, read from a
/// buffer padded with anything (the STFT's zeros, or the rest of the signal for a stretch of
/// it): only pairs of two signal samples are counted, which is what librosa's edge padding gives,
/// since a repeated edge sample never crosses. Each pair is looked at once: crossings are counted
/// per block of `gcd(frame_length, hop)` pairs, kept in `blocks` (reused between calls), then
/// added up per frame.
#[inline(always)]
pub fn extend_from_padded(
    out: &mut Vec<f32>,
    blocks: &mut Vec<u32>,
    padded: &[f32],
    signal: Range<usize>,
    frame_length: usize,
    hop: usize,
) {
    // Pair j is (j - 1, j); a frame starting at s holds the pairs s + 1 .. s + frame_length.
    let crossings_in = |lo: usize, hi: usize| -> u32 {
        let (lo, hi) = (lo.max(signal.start + 1), hi.min(signal.end));
        if lo >= hi {
            return 0;
        }
        padded[lo - 1..hi]
            .windows(2)
            .map(|pair| u32::from(negative(pair[0]) != negative(pair[1])))
            .sum()
    };
    let block = block_len(frame_length, hop);
    // A loop rather than `collect`, so that it is inlined, and vectorised, where this is.
    blocks.clear();
    for b in 0..padded.len() / block {
        blocks.push(crossings_in(b * block, (b + 1) * block));
    }
    let per_frame = frame_length / block;
    out.extend((0..frame_count(padded.len(), frame_length, hop)).map(|t| {
        let start = t * hop;
        let first = start / block;
        let crossings: u32 =
            blocks[first..first + per_frame].iter().sum::<u32>() - crossings_in(start, start + 1);
        (f64::from(crossings) / frame_length as f64) as f32
    }));
}

/// Below `-THRESHOLD`: librosa's `|x| > threshold` and negative, with zero counting as positive.
fn negative(x: f32) -> bool {
    x < -THRESHOLD
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::frame::frames;

    /// librosa's definition written out: edge padding, then sign changes inside each frame.
    fn reference(samples: &[f32], frame_length: usize, hop: usize) -> Vec<f32> {
        let padded = pad_center(samples, frame_length, Padding::Edge);
        let negative: Vec<bool> = padded
            .iter()
            .map(|&x| x.abs() > THRESHOLD && x.is_sign_negative())
            .collect();
        frames(&negative, frame_length, hop)
            .map(|frame| {
                let crossings = frame.windows(2).filter(|pair| pair[0] != pair[1]).count();
                (crossings as f64 / frame_length as f64) as f32
            })
            .collect()
    }

    #[test]
    fn alternating_signal_crosses_at_every_sample() {
        let signal: Vec<f32> = (0..64)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let zcr = zero_crossing_rate(&signal, 16, 8);
        // Middle frames: 15 crossings among 16 samples.
        assert_eq!(zcr[3], 15.0 / 16.0);
    }

    #[test]
    fn tiny_negative_values_count_as_zero() {
        let signal = vec![1.0, -1e-12, 1.0, -1e-12, 1.0, 1.0, 1.0, 1.0];
        assert!(zero_crossing_rate(&signal, 4, 2).iter().all(|&z| z == 0.0));
    }

    #[test]
    fn zero_padded_buffer_gives_librosas_edge_padded_rate() {
        // Negative edges: zero padding would cross at the junction, edge padding does not.
        let mut signal: Vec<f32> = (0..301).map(|i| (i * 37 % 11) as f32 - 5.0).collect();
        signal[0] = -1.0;
        signal[300] = -1.0;
        for (frame_length, hop) in [(16, 8), (16, 5), (7, 3), (512, 256)] {
            assert_eq!(
                zero_crossing_rate(&signal, frame_length, hop),
                reference(&signal, frame_length, hop),
                "{frame_length}/{hop}"
            );
        }
    }
}

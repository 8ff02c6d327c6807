//! Root-mean-square energy, as `librosa.feature.rms(y=...)` computes it.

use super::frame::{Padding, block_len, frame_count, pad_center};

/// The RMS of each frame of the zero-padded signal (no window), `frame_length` samples every
/// `hop` samples.
pub fn rms(samples: &[f32], frame_length: usize, hop: usize) -> Vec<f32> {
    let mut out = Vec::new();
    extend_from_padded(
        &mut out,
        &mut Vec::new(),
        &pad_center(samples, frame_length, Padding::Zeros),
        frame_length,
        hop,
    );
    out
}

/// Appends to `out` the [`rms`] of each frame of an already zero-padded signal (or of a stretch
/// of one). Every sample is squared once: the sums of squares of blocks of
/// `gcd(frame_length, hop)` samples, kept in `blocks` (reused between calls), are added up per
/// frame, in `f64`.
#[inline(always)]
pub fn extend_from_padded(
    out: &mut Vec<f32>,
    blocks: &mut Vec<f64>,
    padded: &[f32],
    frame_length: usize,
    hop: usize,
) {
    let block = block_len(frame_length, hop);
    // A loop rather than `collect`, so that it is inlined, and vectorised, where this is.
    blocks.clear();
    for samples in padded.chunks_exact(block) {
        blocks.push(sum_of_squares(samples));
    }
    let per_frame = frame_length / block;
    out.extend((0..frame_count(padded.len(), frame_length, hop)).map(|t| {
        let first = t * hop / block;
        let power = blocks[first..first + per_frame].iter().sum::<f64>() / frame_length as f64;
        power.sqrt() as f32
    }));
}

#[inline(always)]
fn sum_of_squares(block: &[f32]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let chunks = block.chunks_exact(4);
    let tail: f64 = chunks
        .remainder()
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += f64::from(x) * f64::from(x);
        }
    }
    lanes.iter().sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_signal_has_its_level_as_rms_in_the_middle() {
        let values = rms(&[0.5; 100], 10, 5);
        assert!((values[10] - 0.5).abs() < 1e-7);
        // The first frame is half zeros.
        assert!((values[0] - (0.125f64).sqrt() as f32).abs() < 1e-6);
    }

    #[test]
    fn block_sums_equal_per_frame_sums_for_any_hop() {
        let signal: Vec<f32> = (0..997)
            .map(|i| ((i * 31 % 17) as f32 - 8.0) / 8.0)
            .collect();
        for (frame_length, hop) in [(10, 5), (16, 6), (7, 3), (512, 256), (12, 12)] {
            let padded = pad_center(&signal, frame_length, Padding::Zeros);
            let expected: Vec<f32> = crate::features::frame::frames(&padded, frame_length, hop)
                .map(|f| {
                    let s: f64 = f.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
                    (s / frame_length as f64).sqrt() as f32
                })
                .collect();
            let got = rms(&signal, frame_length, hop);
            assert_eq!(got.len(), expected.len());
            for (g, e) in got.iter().zip(&expected) {
                assert!((g - e).abs() <= 1e-6 * e.max(1e-6), "{frame_length}/{hop}");
            }
        }
    }
}

//! Zero-crossing rate, exactly as `librosa.feature.zero_crossing_rate` computes it.

use super::frame::{Padding, frames, pad_center};

/// librosa's default `threshold`: samples this close to zero count as zero (positive).
const THRESHOLD: f32 = 1e-10;

/// The fraction of sign changes per frame: edge padding, a frame of `frame_length` samples every
/// `hop` samples, `zero_pos=True` (zero counts as positive) and the first sample of each frame
/// never counted, so the count is divided by `frame_length` though only `frame_length - 1` pairs
/// exist.
pub fn zero_crossing_rate(samples: &[f32], frame_length: usize, hop: usize) -> Vec<f32> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

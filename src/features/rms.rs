//! Root-mean-square energy, as `librosa.feature.rms(y=...)` computes it.

use super::frame::{Padding, frames, pad_center};

/// The RMS of each frame of the zero-padded signal (no window), `frame_length` samples every
/// `hop` samples.
pub fn rms(samples: &[f32], frame_length: usize, hop: usize) -> Vec<f32> {
    let padded = pad_center(samples, frame_length, Padding::Zeros);
    frames(&padded, frame_length, hop)
        .map(|frame| {
            let power = frame
                .iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>()
                / frame_length as f64;
            power.sqrt() as f32
        })
        .collect()
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
}

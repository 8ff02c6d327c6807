//! Pitch shift with the duration kept: stretch the time by the pitch factor, then resample so the
//! clip plays back at its original length (the library's resampler does the second step).

use speech_emotion::audio::resample;

use super::stretch::time_stretch;

/// Shifts the pitch by `semitones` (positive is higher); the output has the input's length.
pub fn pitch_shift(samples: &[f32], sample_rate: u32, semitones: f32) -> Vec<f32> {
    let factor = 2f64.powf(f64::from(semitones) / 12.0);
    let stretched = time_stretch(samples, (1.0 / factor) as f32);
    let from = (f64::from(sample_rate) * factor).round() as u32;
    let mut shifted = resample(stretched, from, sample_rate).unwrap_or_else(|_| samples.to_vec());
    shifted.resize(samples.len(), 0.0);
    shifted
}

#[cfg(test)]
mod tests {
    use super::super::stretch::tests::{frequency, tone};
    use super::*;

    #[test]
    fn tone_moves_by_the_asked_semitones() {
        let x = tone(220.0, 1.0);
        for semitones in [-3.0f32, 2.0, 4.0] {
            let y = pitch_shift(&x, 16_000, semitones);
            assert_eq!(y.len(), x.len());
            let expected = 220.0 * 2f32.powf(semitones / 12.0);
            let f = frequency(&y);
            let cents = 1200.0 * (f / expected).log2();
            assert!(
                cents.abs() < 15.0,
                "{semitones} st: {f} Hz vs {expected} Hz"
            );
        }
    }
}

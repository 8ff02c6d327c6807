//! Which frames of a recording are speech: frame energy measured against the loudness of its own
//! region, the recording's loudest frame, its noise floor and an absolute floor (the thresholds
//! of [`WindowConfig`]). Used by [`crate::segment`] to trim, window and level recordings, the
//! same way in training and inference.

use crate::segment::WindowConfig;

/// Energy frames used for speech detection: 32 ms, hop 16 ms at 16 kHz.
pub const FRAME: usize = 512;
pub const HOP: usize = 256;

/// RMS of each centred, zero-padded frame of `samples - offset`: `features::rms::rms` of the
/// recording with its DC offset removed, without making that copy.
fn frame_energy(samples: &[f32], offset: f32) -> Vec<f32> {
    let half = FRAME / 2;
    (0..=samples.len() / HOP)
        .map(|t| {
            let centre = t * HOP;
            let from = centre.saturating_sub(half);
            let to = (centre + half).min(samples.len());
            let power = samples[from..to]
                .iter()
                .map(|&x| f64::from(x - offset).powi(2))
                .sum::<f64>()
                / FRAME as f64;
            power.sqrt() as f32
        })
        .collect()
}

/// The recording's noise floor: the RMS of its 5th-percentile frame.
fn noise_floor(energy: &[f32]) -> f32 {
    let mut sorted = energy.to_vec();
    let k = (sorted.len() / 20).min(sorted.len().saturating_sub(1));
    *sorted.select_nth_unstable_by(k, f32::total_cmp).1
}

/// The largest value within `reach` places of each value (a monotonic queue: O(n)).
fn sliding_max(values: &[f32], reach: usize) -> Vec<f32> {
    let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut out = Vec::with_capacity(values.len());
    let mut next = 0;
    for i in 0..values.len() {
        while next < values.len() && next <= i + reach {
            while queue.back().is_some_and(|&j| values[j] <= values[next]) {
                queue.pop_back();
            }
            queue.push_back(next);
            next += 1;
        }
        while queue.front().is_some_and(|&j| j + reach < i) {
            queue.pop_front();
        }
        out.push(values[queue[0]]);
    }
    out
}

/// Speech detection over a recording.
pub struct SpeechMap {
    speech: Vec<bool>,
    energy: Vec<f32>,
}

impl SpeechMap {
    /// A frame is speech when it clears the thresholds of [`WindowConfig`]: its region's level,
    /// the recording's loudest frame, the absolute floor, and the noise floor if it is quieter
    /// than the recording-wide rule alone would accept.
    pub fn new(samples: &[f32], offset: f32, config: &WindowConfig, sr: u32) -> Self {
        let energy = frame_energy(samples, offset);
        let db = |x: f32| 10f32.powf(x / 20.0);
        let loudest = energy.iter().copied().fold(0.0f32, f32::max);
        let near_loudest = loudest * db(-config.speech_db);
        let above_noise = noise_floor(&energy) * db(config.noise_margin_db);
        let lowest = (loudest * db(-config.range_db)).max(config.floor_rms);
        let reach = (config.local_s * sr as f32 / HOP as f32).round() as usize;
        let speech = sliding_max(&energy, reach)
            .iter()
            .zip(&energy)
            .map(|(&local, &e)| {
                e >= lowest
                    && e >= local * db(-config.speech_db)
                    && (e >= near_loudest || e >= above_noise)
            })
            .collect();
        Self { speech, energy }
    }

    /// Sample range from the first to the last speech frame, if any.
    pub fn speech_span(&self, len: usize) -> Option<(usize, usize)> {
        let first = self.speech.iter().position(|&s| s)?;
        let last = self.speech.iter().rposition(|&s| s)?;
        let start = (first * HOP).saturating_sub(FRAME / 2);
        let end = (last * HOP + FRAME / 2).min(len);
        Some((start, end.max(start + 1)))
    }

    /// Fraction of speech frames and RMS of the speech frames between two sample positions.
    pub fn stats(&self, start: usize, end: usize) -> (f32, f32) {
        let first = start.div_ceil(HOP).min(self.speech.len());
        let last = (end / HOP).clamp(first, self.speech.len());
        let frames = &self.speech[first..last];
        if frames.is_empty() {
            return (0.0, 0.0);
        }
        let (mut count, mut power) = (0usize, 0.0f64);
        for (i, &s) in frames.iter().enumerate() {
            if s {
                count += 1;
                power += f64::from(self.energy[first + i]).powi(2);
            }
        }
        let level = if count > 0 {
            (power / count as f64).sqrt() as f32
        } else {
            0.0
        };
        (count as f32 / frames.len() as f32, level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::tests::tone;

    #[test]
    fn frame_energy_is_librosas_rms_of_the_centred_signal() {
        let audio: Vec<f32> = tone(0.7, 0.3).iter().map(|x| x + 0.2).collect();
        let centred: Vec<f32> = audio.iter().map(|x| x - 0.2).collect();
        let expected = crate::features::rms::rms(&centred, FRAME, HOP);
        assert_eq!(frame_energy(&audio, 0.2), expected);
        assert_eq!(
            frame_energy(&centred, 0.0),
            expected,
            "no offset: exactly rms"
        );
    }

    #[test]
    fn sliding_max_and_noise_floor() {
        let values = [1.0, 5.0, 2.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(
            sliding_max(&values, 1),
            vec![5.0, 5.0, 5.0, 2.0, 0.0, 3.0, 3.0]
        );
        assert_eq!(sliding_max(&values, 10), vec![5.0; 7]);
        assert_eq!(noise_floor(&[0.3]), 0.3);
        let ramp: Vec<f32> = (0..100).map(|i| i as f32).collect();
        assert_eq!(noise_floor(&ramp), 5.0);
    }
}

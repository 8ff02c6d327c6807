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

/// How far [`absolute_floor`] may fall below [`WindowConfig::floor_rms`]: 40 dB, to about
/// -94 dBFS, the last bit of a 16-bit file, so that a click in digital silence is no voice.
const QUIET_FLOOR_SHARE: f32 = 0.01;

/// The RMS below which no frame is speech: [`WindowConfig::floor_rms`], lowered with the loudest
/// frame in a quiet recording whose loudest frame stands clear of its noise floor.
fn absolute_floor(loudest: f32, noise: f32, config: &WindowConfig) -> f32 {
    let clear = loudest > noise * 10f32.powf(config.quiet_contrast_db / 20.0);
    if clear && loudest < config.quiet_below_rms {
        (config.floor_rms * loudest / config.quiet_below_rms)
            .max(config.floor_rms * QUIET_FLOOR_SHARE)
    } else {
        config.floor_rms
    }
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
        let noise = noise_floor(&energy);
        let above_noise = noise * db(config.noise_margin_db);
        let lowest = (loudest * db(-config.range_db)).max(absolute_floor(loudest, noise, config));
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
    fn the_floor_follows_a_quiet_recording_down_but_not_hiss() {
        let config = WindowConfig::default();
        // Loud enough: the plain floor, whatever the noise.
        assert_eq!(absolute_floor(0.3, 1e-5, &config), config.floor_rms);
        assert_eq!(absolute_floor(0.01, 1e-5, &config), config.floor_rms);
        // 20 dB quieter than -40 dBFS and 50 dB above its noise floor: 20 dB lower.
        let floor = absolute_floor(0.001, 3e-6, &config);
        assert!((floor - config.floor_rms / 10.0).abs() < 1e-9, "{floor}");
        // Steady hiss (its loudest frame 6 dB above its 5th percentile): the plain floor.
        assert_eq!(absolute_floor(0.001, 0.0005, &config), config.floor_rms);
        // Digital silence, and a click in it: never below about -94 dBFS.
        assert_eq!(absolute_floor(0.0, 0.0, &config), config.floor_rms);
        let click = absolute_floor(1e-7, 0.0, &config);
        assert_eq!(click, config.floor_rms * QUIET_FLOOR_SHARE);
    }

    #[test]
    fn a_quiet_voice_is_found_where_a_loud_one_is() {
        let config = WindowConfig::default();
        let voice = |amplitude: f32| {
            let mut audio = vec![0.0; 8_000];
            // Four syllables: the tone swells and fades over 0.25 s each.
            audio.extend(tone(1.0, 1.0).iter().enumerate().map(|(i, x)| {
                let phase = (i % 4_000) as f32 / 4_000.0;
                amplitude * x * (std::f32::consts::PI * phase).sin()
            }));
            audio.extend(vec![0.0; 8_000]);
            SpeechMap::new(&audio, 0.0, &config, 16_000)
        };
        let loud = voice(0.3);
        // About -57 dBFS at its loudest, below the plain floor everywhere.
        let quiet = voice(0.002);
        assert!(quiet.energy.iter().all(|&e| e < config.floor_rms));
        let quiet_span = quiet
            .speech_span(48_000)
            .expect("the quiet voice is speech");
        let loud_span = loud.speech_span(48_000).expect("the loud voice is speech");
        // From the first syllable to the last, as in the loud one, within a syllable's fade.
        let close = |a: usize, b: usize| a.abs_diff(b) < 2_000;
        assert!(
            close(quiet_span.0, loud_span.0),
            "{quiet_span:?} {loud_span:?}"
        );
        assert!(
            close(quiet_span.1, loud_span.1),
            "{quiet_span:?} {loud_span:?}"
        );
        // Only frames the loud voice has too.
        let mut both = quiet.speech.iter().zip(&loud.speech);
        assert!(both.all(|(&q, &l)| !q || l));
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

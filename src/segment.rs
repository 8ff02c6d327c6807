//! From a whole recording to the fixed-length windows the model sees, the same way in training
//! and inference: find speech by frame energy against the loudness of its own region (so a calm
//! sentence next to a shouted one is kept), trim leading and trailing silence, cut windows,
//! loop-fill a window when the speech is shorter than one, mark windows without enough speech as
//! silence, and level each window so that the microphone's gain does not decide the emotion.

use serde::{Deserialize, Serialize};

use crate::speech::SpeechMap;

/// How recordings are cut into model windows. Travels with the model in its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowConfig {
    /// Window length in seconds (the model's input length).
    pub window_s: f32,
    /// Hop between windows in seconds, for audio longer than one window.
    pub hop_s: f32,
    /// A frame is speech when its RMS is within this many dB of the loudest frame of its
    /// region (the frames within [`Self::local_s`] of it)...
    pub speech_db: f32,
    /// ...and above this absolute RMS (about -54 dBFS): below it nothing counts as speech, so
    /// that steady hiss is not taken for a voice...
    pub floor_rms: f32,
    /// ...except in a quiet recording, whose loudest frame is below this RMS (about -40 dBFS)
    /// and stands at least [`Self::quiet_contrast_db`] above its noise floor: there the floor
    /// follows the loudest frame down, keeping as far beneath it as it stays beneath this
    /// level, so that a softly spoken or low-gain recording keeps its quiet speech...
    #[serde(default = "default_quiet_below_rms")]
    pub quiet_below_rms: f32,
    /// ...(the contrast in dB between the loudest frame and the noise floor that tells a quiet
    /// voice from hiss)...
    #[serde(default = "default_quiet_contrast_db")]
    pub quiet_contrast_db: f32,
    /// ...where a frame's region reaches this many seconds each side...
    #[serde(default = "default_local_s")]
    pub local_s: f32,
    /// ...and it is within this many dB of the whole recording's loudest frame...
    #[serde(default = "default_range_db")]
    pub range_db: f32,
    /// ...and, when it is more than `speech_db` below the recording's loudest frame, this many
    /// dB above the noise floor (the 5th-percentile frame), so that a long pause is not
    /// measured against itself.
    #[serde(default = "default_noise_margin_db")]
    pub noise_margin_db: f32,
    /// A window with less than this fraction of speech frames is marked as silence.
    pub min_speech_fraction: f32,
    /// Each window's speech frames are scaled to this RMS before features are taken.
    pub target_rms: f32,
    /// Speech spanning less than this many seconds is not enough to classify.
    #[serde(default = "default_min_speech_s")]
    pub min_speech_s: f32,
}

fn default_min_speech_s() -> f32 {
    0.25
}

fn default_quiet_below_rms() -> f32 {
    0.01
}

fn default_quiet_contrast_db() -> f32 {
    20.0
}

fn default_local_s() -> f32 {
    3.0
}

fn default_range_db() -> f32 {
    50.0
}

fn default_noise_margin_db() -> f32 {
    6.0
}

impl Default for WindowConfig {
    /// 2 s windows every 1 s: one window holds a whole short acted utterance (most clips of the
    /// corpora are 1.5-3 s of speech once trimmed), and a 1 s hop gives a readable timeline.
    fn default() -> Self {
        Self {
            window_s: 2.0,
            hop_s: 1.0,
            speech_db: 35.0,
            floor_rms: 0.002,
            quiet_below_rms: default_quiet_below_rms(),
            quiet_contrast_db: default_quiet_contrast_db(),
            local_s: default_local_s(),
            range_db: default_range_db(),
            noise_margin_db: default_noise_margin_db(),
            min_speech_fraction: 0.2,
            target_rms: 0.1,
            min_speech_s: default_min_speech_s(),
        }
    }
}

/// One model window of a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Start in the original recording, in seconds.
    pub start_s: f32,
    /// End in the original recording, in seconds.
    pub end_s: f32,
    /// Exactly `window_s × sr` samples, levelled (empty when `speech` is false).
    pub samples: Vec<f32>,
    /// Whether the window holds enough speech to be classified.
    pub speech: bool,
}

/// Where one window lies in a recording and how to level it; its samples are only made on
/// demand ([`Windowing::samples`]), so an hour of audio never exists twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// First sample of the window.
    pub start: usize,
    /// One past its last sample (at most `window_s × sr` after `start`).
    pub end: usize,
    /// Whether the window holds enough speech to be classified.
    pub speech: bool,
    /// Gain that brings the window's speech to the target level.
    gain: f32,
}

/// A recording at `sr` Hz cut into model windows: where each lies and whether it is speech,
/// with each window's levelled samples made only when asked for. The recording's DC offset (its
/// mean) is taken away on the fly. A recording with no speech (or less than `min_speech_s` of it)
/// has one silent window spanning it; an empty one has none.
pub struct Windowing<'a> {
    samples: &'a [f32],
    sr: u32,
    offset: f32,
    length: usize,
    spans: Vec<Span>,
}

impl<'a> Windowing<'a> {
    /// Finds the speech and plans the windows of a recording.
    pub fn new(samples: &'a [f32], sr: u32, config: &WindowConfig) -> Self {
        let length = (config.window_s * sr as f32).round() as usize;
        let mut plan = Self {
            samples,
            sr,
            offset: 0.0,
            length,
            spans: Vec::new(),
        };
        if samples.is_empty() {
            return plan;
        }
        let mean = samples.iter().map(|&x| f64::from(x)).sum::<f64>() / samples.len() as f64;
        let offset = mean as f32;
        if offset.abs() > 1e-4 {
            plan.offset = offset;
        }
        let map = SpeechMap::new(samples, plan.offset, config, sr);
        let min_span = (config.min_speech_s * sr as f32) as usize;
        let span = map
            .speech_span(samples.len())
            .filter(|(start, end)| end - start >= min_span);
        let Some((start, end)) = span else {
            plan.spans.push(Span {
                start: 0,
                end: samples.len(),
                speech: false,
                gain: 1.0,
            });
            return plan;
        };
        let hop = ((config.hop_s * sr as f32).round() as usize).max(1);
        let span = end - start;
        let mut starts: Vec<usize> = if span <= length {
            vec![start]
        } else {
            let mut v: Vec<usize> = (0..)
                .map(|k| start + k * hop)
                .take_while(|&s| s + length <= end)
                .collect();
            // The last window ends where the speech ends, so the tail is not lost.
            if v.last().is_some_and(|&s| s + length < end) {
                v.push(end - length);
            }
            v
        };
        starts.dedup();
        plan.spans = starts
            .into_iter()
            .map(|s| {
                let e = (s + length).min(end);
                let (fraction, level) = map.stats(s, e);
                Span {
                    start: s,
                    end: e,
                    speech: span <= length || fraction >= config.min_speech_fraction,
                    gain: if level > 0.0 {
                        config.target_rms / level
                    } else {
                        1.0
                    },
                }
            })
            .collect();
        plan
    }

    /// Every window, in order.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// Start and end of a window in seconds.
    pub fn times(&self, span: &Span) -> (f32, f32) {
        let to_s = |i: usize| i as f32 / self.sr as f32;
        (to_s(span.start), to_s(span.end))
    }

    /// The window's samples as the model sees them: offset removed, speech levelled to the
    /// target RMS, repeated until they fill exactly one window.
    pub fn samples(&self, span: &Span) -> Vec<f32> {
        self.samples[span.start..span.end]
            .iter()
            .cycle()
            .take(self.length)
            .map(|&x| (x - self.offset) * span.gain)
            .collect()
    }
}

/// Every window of a recording with its samples (the trainer's path: clips are short). Long
/// recordings should go through [`Windowing`] to make one window at a time.
pub fn windows(samples: &[f32], sr: u32, config: &WindowConfig) -> Vec<Window> {
    let plan = Windowing::new(samples, sr, config);
    plan.spans()
        .iter()
        .map(|span| {
            let (start_s, end_s) = plan.times(span);
            Window {
                start_s,
                end_s,
                samples: if span.speech {
                    plan.samples(span)
                } else {
                    Vec::new()
                },
                speech: span.speech,
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A steady tone at 16 kHz, the speech stand-in of the segmentation tests.
    pub(crate) fn tone(seconds: f32, amplitude: f32) -> Vec<f32> {
        (0..(16_000.0 * seconds) as usize)
            .map(|i| amplitude * (i as f32 * 0.07).sin())
            .collect()
    }

    #[test]
    fn short_speech_is_trimmed_levelled_and_loop_filled() {
        let mut audio = vec![0.0; 8_000];
        audio.extend(tone(1.0, 0.01));
        audio.extend(vec![0.0; 8_000]);
        let w = windows(&audio, 16_000, &WindowConfig::default());
        assert_eq!(w.len(), 1);
        assert!(w[0].speech);
        assert_eq!(w[0].samples.len(), 32_000);
        assert!((w[0].start_s - 0.5).abs() < 0.05, "start {}", w[0].start_s);
        let rms = (w[0].samples.iter().map(|x| x * x).sum::<f32>() / 32_000.0).sqrt();
        assert!((rms - 0.1).abs() < 0.01, "levelled rms {rms}");
    }

    #[test]
    fn long_audio_gets_overlapping_windows_and_silent_gaps() {
        let mut audio = tone(3.0, 0.3);
        audio.extend(vec![0.0; 16_000 * 4]);
        audio.extend(tone(3.0, 0.3));
        let w = windows(&audio, 16_000, &WindowConfig::default());
        assert_eq!(w.first().unwrap().start_s, 0.0);
        assert!((w.last().unwrap().end_s - 10.0).abs() < 0.05);
        assert!(w.iter().any(|w| !w.speech), "the 4 s gap is silence");
        assert!(
            w.iter()
                .filter(|w| w.speech)
                .all(|w| w.samples.len() == 32_000)
        );
    }

    #[test]
    fn digital_silence_is_one_silent_window() {
        let w = windows(&vec![0.0; 48_000], 16_000, &WindowConfig::default());
        assert_eq!(w.len(), 1);
        assert!(!w[0].speech);
        assert!((w[0].end_s - 3.0).abs() < 1e-6);
        assert!(windows(&[], 16_000, &WindowConfig::default()).is_empty());
        let one = windows(&[0.5], 16_000, &WindowConfig::default());
        assert_eq!(one.len(), 1);
        assert!(!one[0].speech, "one sample is not speech");
    }

    #[test]
    fn dc_offset_is_removed_before_speech_detection() {
        let mut audio = vec![0.0; 16_000];
        audio.extend(tone(1.0, 0.2));
        audio.extend(vec![0.0; 16_000]);
        let clean = windows(&audio, 16_000, &WindowConfig::default());
        let shifted: Vec<f32> = audio.iter().map(|x| x + 0.3).collect();
        let offset = windows(&shifted, 16_000, &WindowConfig::default());
        assert_eq!(clean.len(), offset.len());
        assert!((clean[0].start_s - offset[0].start_s).abs() < 0.02);
    }

    #[test]
    fn a_blip_is_not_enough_speech() {
        let mut audio = vec![0.0; 16_000];
        audio[8_000] = 0.9;
        let w = windows(&audio, 16_000, &WindowConfig::default());
        assert_eq!(w.len(), 1);
        assert!(!w[0].speech);
    }

    #[test]
    fn a_calm_sentence_before_a_shouted_one_is_kept_and_the_pause_marked() {
        // 40 dB apart: beyond the 35 dB a single recording-wide threshold allows.
        let mut audio = tone(5.0, 0.005);
        audio.extend(vec![0.0; 16_000 * 3]);
        audio.extend(tone(5.0, 0.5));
        let w = windows(&audio, 16_000, &WindowConfig::default());
        let speech_in = |from: f32, to: f32| {
            w.iter()
                .filter(|w| w.speech && w.start_s >= from && w.end_s <= to)
                .count()
        };
        assert!(speech_in(0.0, 5.0) >= 3, "the calm sentence is speech");
        assert!(speech_in(8.0, 13.0) >= 3, "the shouted one too");
        assert!(
            w.iter()
                .any(|w| !w.speech && w.start_s >= 5.0 && w.end_s <= 8.0),
            "the pause between them is not"
        );
    }

    #[test]
    fn a_long_noisy_pause_is_not_measured_against_itself() {
        let noise = |seconds: f32| -> Vec<f32> {
            (0..(16_000.0 * seconds) as usize)
                .map(|i| 0.006 * ((i * 7919 % 101) as f32 / 50.0 - 1.0))
                .collect()
        };
        let mut audio = tone(3.0, 0.3);
        audio.extend(noise(8.0));
        audio.extend(tone(3.0, 0.3));
        let w = windows(&audio, 16_000, &WindowConfig::default());
        let middle: Vec<_> = w
            .iter()
            .filter(|w| w.start_s >= 4.0 && w.end_s <= 10.0)
            .collect();
        assert!(!middle.is_empty() && middle.iter().all(|w| !w.speech));
    }

    #[test]
    fn quiet_hiss_below_the_floor_is_not_speech() {
        let hiss: Vec<f32> = (0..32_000)
            .map(|i| 0.0005 * ((i * 7919 % 101) as f32 / 50.0 - 1.0))
            .collect();
        assert!(!windows(&hiss, 16_000, &WindowConfig::default())[0].speech);
    }
}

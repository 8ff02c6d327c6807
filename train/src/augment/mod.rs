//! Augmentation of training clips: additive noise, time stretch with pitch kept, pitch shift with
//! duration kept, and time shift. Every transform is deterministic for a given RNG seed, and is
//! applied to training clips only.

pub mod bands;
pub mod noise;
pub mod pitch;
pub mod shift;
pub mod stretch;

use rand::Rng;
use serde::Serialize;

/// One augmented copy of a clip, with the parameters drawn for it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Augmentation {
    /// White noise at this signal-to-noise ratio (dB).
    Noise { snr_db: f32 },
    /// Time stretch by this rate (>1 is faster), pitch kept.
    Stretch { rate: f32 },
    /// Pitch shift by this many semitones, duration kept.
    Pitch { semitones: f32 },
    /// Shift by this many seconds (positive delays), length kept.
    Shift { seconds: f32 },
}

impl Augmentation {
    /// Applies the transform to 16 kHz-or-any-rate mono samples.
    pub fn apply(self, samples: &[f32], sample_rate: u32, rng: &mut impl Rng) -> Vec<f32> {
        match self {
            Augmentation::Noise { snr_db } => noise::add_noise(samples, snr_db, rng),
            Augmentation::Stretch { rate } => stretch::time_stretch(samples, rate),
            Augmentation::Pitch { semitones } => {
                pitch::pitch_shift(samples, sample_rate, semitones)
            }
            Augmentation::Shift { seconds } => {
                shift::time_shift(samples, (seconds * sample_rate as f32).round() as isize)
            }
        }
    }

    /// The seed's recipe, one copy per transform with parameters drawn from `rng`: noise at
    /// 10-30 dB SNR, stretch by 0.8-1.25, pitch by ±1-3 semitones, shift by up to ±0.25 s.
    pub fn draw_set(rng: &mut impl Rng) -> Vec<Augmentation> {
        let semitones = rng.random_range(1.0..3.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        vec![
            Augmentation::Noise {
                snr_db: rng.random_range(10.0..30.0),
            },
            Augmentation::Stretch {
                rate: rng.random_range(0.8f32..1.25),
            },
            Augmentation::Pitch { semitones },
            Augmentation::Shift {
                seconds: rng.random_range(-0.25..0.25),
            },
        ]
    }
}

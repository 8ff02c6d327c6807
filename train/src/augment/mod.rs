//! Augmentation of training clips: additive noise, time stretch with pitch kept, pitch shift with
//! duration kept, and time shift, each copy optionally through a random recording channel
//! (`channel.rs`). Every transform is deterministic for a given RNG seed; only training windows
//! of the augmented copies are ever trained on.

pub mod bands;
pub mod channel;
pub mod masking;
pub mod mixup;
pub mod noise;
pub mod pitch;
pub mod shift;
pub mod stretch;
pub mod style;

use rand::Rng;
use serde::Serialize;

/// How the augmented copies of a clip are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
pub enum Recipe {
    /// The seed's four copies: noise, stretch, pitch, shift.
    Seed,
    /// The same four copies, each through a random recording channel.
    Channel,
}

impl Recipe {
    /// What the copies are, for the metadata.
    pub fn describe(self) -> &'static str {
        match self {
            Recipe::Seed => {
                "per training clip: the original plus 4 copies (white noise 10-30 dB SNR, WSOLA stretch 0.8-1.25, pitch ±1-3 semitones, shift ±0.25 s); each time the clip is drawn (every clip once per epoch, or epoch_size draws spread equally over the corpora when balanced), one random window of one random copy, its log-mel bands moved by up to ±band_shift"
            }
            Recipe::Channel => {
                "per training clip: the original plus 4 copies (white noise 10-30 dB SNR, WSOLA stretch 0.8-1.25, pitch ±1-3 semitones, shift ±0.25 s), each then through a random channel: a synthetic room (RT60 0.15-0.9 s) half the time, an equaliser (1-3 peaks of ±8 dB, tilt ±6 dB above 1 kHz) 60 %, a telephone band (300-3400 Hz) 15 %, gain ±10 dB with clipping, and white, pink or babble noise (other training clips of the corpus) at 0-30 dB SNR 70 %; each time the clip is drawn (every clip once per epoch, or epoch_size draws spread equally over the corpora when balanced), one random window of one random copy, its log-mel bands moved by up to ±band_shift"
            }
        }
    }
}

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

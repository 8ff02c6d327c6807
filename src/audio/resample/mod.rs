//! Resampling to the model's rate with rubato's band-limited sinc resampler.
//!
//! Quality settings: a 128-tap sinc with a Blackman-Harris² window, 128× oversampled table and
//! linear interpolation between table entries. That keeps the passband flat to ~0.9 × Nyquist
//! and the stopband below about -100 dB, far beyond what MFCCs of speech can see, at a cost that
//! stays well under the decoding time. When the input is already at the target rate nothing is
//! done at all: the samples pass through untouched. When it is a whole multiple of the target
//! (32, 48, 96 kHz to 16 kHz) every output sample falls exactly on a table entry (the nearest
//! entry gives linear interpolation's samples bit for bit), so every output is the same filter:
//! `decimate.rs` reads it from rubato once and applies it with SIMD. Making rubato's table
//! (16,384 windowed sincs) cost a third of resampling a 3 s clip, so a dropped resampler leaves
//! it for the next one of the same rates (`SPARES`).

use rubato::{
    Resampler, SincFixedIn, SincInterpolationParameters, SincInterpolationType, WindowFunction,
    calculate_cutoff,
};

use std::sync::Mutex;

use super::decimate::Decimator;
use crate::error::{Error, Result};

/// Taps of the sinc filter, in input samples.
pub(crate) const SINC_LEN: usize = 128;
const WINDOW: WindowFunction = WindowFunction::BlackmanHarris2;
const CHUNK: usize = 4096;

/// What picks a resampler: its rates and whether it reads the nearest table entry.
type Key = (u32, u32, bool);

/// Resamplers left by dropped [`StreamResampler`]s, kept for the next one of the same key: at
/// most [`MAX_SPARES`], enough for every thread of the pieces and a page's one or two rates.
static SPARES: Mutex<Vec<(Key, Box<SincFixedIn<f32>>)>> = Mutex::new(Vec::new());
const MAX_SPARES: usize = 8;

/// A spare resampler of `key`, reset to the state of a new one, if one is kept.
fn take_spare(key: Key) -> Option<Box<SincFixedIn<f32>>> {
    let mut spares = SPARES.lock().ok()?;
    let at = spares.iter().position(|(k, _)| *k == key)?;
    let (_, mut resampler) = spares.swap_remove(at);
    resampler.reset();
    Some(resampler)
}

/// What does the work: nothing, rubato's sinc resampler, or the same filter as a decimator.
enum Engine {
    Pass,
    Sinc(Box<SincFixedIn<f32>>),
    Decimate(Decimator),
}

/// A streaming resampler: push any number of samples, get the resampled ones, then `finish`.
pub struct StreamResampler {
    engine: Engine,
    key: Key,
    pending: Vec<f32>,
    scratch: Vec<Vec<f32>>,
    ratio: f64,
    total_in: u64,
    total_out: u64,
}

impl StreamResampler {
    /// A resampler from `from` Hz to `to` Hz: a pass-through when they are equal, a decimator
    /// with rubato's filter for a whole-number ratio, rubato otherwise.
    pub fn new(from: u32, to: u32) -> Result<Self> {
        // A zero rate has no whole factor: `sinc` refuses it.
        match super::decimate::whole_factor(from, to) {
            Some(factor) => {
                let decimator = Decimator::new(factor, |impulse| {
                    let mut sinc = Self::sinc(from, to, SincInterpolationType::Nearest)?;
                    let mut out = Vec::new();
                    sinc.push(&impulse, &mut out)?;
                    sinc.finish(&mut out)?;
                    Ok(out)
                })?;
                Ok(Self::with_engine(
                    Engine::Decimate(decimator),
                    from,
                    to,
                    true,
                ))
            }
            None => Self::sinc(from, to, interpolation(from, to)),
        }
    }

    /// Rubato's resampler (or a pass-through when the rates are equal), with a kept table when
    /// there is one.
    fn sinc(from: u32, to: u32, kind: SincInterpolationType) -> Result<Self> {
        if from == 0 || to == 0 {
            return Err(Error::BadSampleRate(from.min(to)));
        }
        let nearest = matches!(kind, SincInterpolationType::Nearest);
        let engine = if from == to {
            Engine::Pass
        } else if let Some(spare) = take_spare((from, to, nearest)) {
            Engine::Sinc(spare)
        } else {
            let params = SincInterpolationParameters {
                sinc_len: SINC_LEN,
                f_cutoff: calculate_cutoff(SINC_LEN, WINDOW),
                interpolation: kind,
                oversampling_factor: 128,
                window: WINDOW,
            };
            let ratio = f64::from(to) / f64::from(from);
            let resampler = SincFixedIn::<f32>::new(ratio, 1.0, params, CHUNK, 1)
                .map_err(|e| Error::Resample(e.to_string()))?;
            Engine::Sinc(Box::new(resampler))
        };
        Ok(Self::with_engine(engine, from, to, nearest))
    }

    fn with_engine(engine: Engine, from: u32, to: u32, nearest: bool) -> Self {
        let scratch = match &engine {
            Engine::Sinc(r) => vec![vec![0.0; r.output_frames_max()]],
            _ => Vec::new(),
        };
        Self {
            engine,
            key: (from, to, nearest),
            pending: Vec::with_capacity(CHUNK),
            scratch,
            ratio: f64::from(to) / f64::from(from),
            total_in: 0,
            total_out: 0,
        }
    }

    /// Back to the state of a new resampler, keeping its filter table (the costly part to make).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn reset(&mut self) {
        match &mut self.engine {
            Engine::Pass => {}
            Engine::Sinc(inner) => inner.reset(),
            Engine::Decimate(d) => d.reset(),
        }
        self.pending.clear();
        self.total_in = 0;
        self.total_out = 0;
    }

    /// Feeds `input` and appends every finished output sample to `out`.
    pub fn push(&mut self, mut input: &[f32], out: &mut Vec<f32>) -> Result<()> {
        self.total_in += input.len() as u64;
        match &mut self.engine {
            Engine::Pass => {
                out.extend_from_slice(input);
                self.total_out += input.len() as u64;
                return Ok(());
            }
            Engine::Decimate(d) => {
                d.push(input, out);
                return Ok(());
            }
            Engine::Sinc(_) => {}
        }
        while !input.is_empty() {
            let take = (CHUNK - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() == CHUNK {
                self.run(false, out)?;
            }
        }
        Ok(())
    }

    /// Flushes the filter's tail so the output has exactly `ceil(len × ratio)` samples. (rubato's
    /// `SincFixedIn` already centres its filter, so no delay is trimmed; a test checks alignment.)
    pub fn finish(&mut self, out: &mut Vec<f32>) -> Result<()> {
        match &mut self.engine {
            Engine::Pass => return Ok(()),
            Engine::Decimate(d) => {
                d.finish(out);
                return Ok(());
            }
            Engine::Sinc(_) => {}
        }
        let expected = (self.total_in as f64 * self.ratio).ceil() as u64;
        self.run(true, out)?;
        while self.total_out < expected {
            self.run(true, out)?;
        }
        let excess = (self.total_out - expected) as usize;
        out.truncate(out.len() - excess.min(out.len()));
        self.total_out = expected;
        Ok(())
    }

    fn run(&mut self, flush: bool, out: &mut Vec<f32>) -> Result<()> {
        let Engine::Sinc(resampler) = &mut self.engine else {
            return Ok(());
        };
        if flush {
            self.pending.resize(CHUNK, 0.0);
        }
        let (_, produced) = resampler
            .process_into_buffer(&[self.pending.as_slice()], &mut self.scratch, None)
            .map_err(|e| Error::Resample(e.to_string()))?;
        self.pending.clear();
        out.extend_from_slice(&self.scratch[0][..produced]);
        self.total_out += produced as u64;
        Ok(())
    }
}

impl Drop for StreamResampler {
    /// Leaves rubato's filter table to the next resampler of the same rates.
    fn drop(&mut self) {
        let engine = std::mem::replace(&mut self.engine, Engine::Pass);
        let (Engine::Sinc(inner), Ok(mut spares)) = (engine, SPARES.lock()) else {
            return;
        };
        if spares.len() < MAX_SPARES {
            spares.push((self.key, inner));
        }
    }
}

/// Linear interpolation between the sinc table's entries, or the nearest entry alone when every
/// output sample falls on one (a whole-number decimation, where the two are equal).
fn interpolation(from: u32, to: u32) -> SincInterpolationType {
    if from.is_multiple_of(to) {
        SincInterpolationType::Nearest
    } else {
        SincInterpolationType::Linear
    }
}

/// Resamples a whole buffer from `from` Hz to `to` Hz. No work (and no copy) when they match.
pub fn resample(samples: Vec<f32>, from: u32, to: u32) -> Result<Vec<f32>> {
    if from == to {
        return Ok(samples);
    }
    let mut resampler = StreamResampler::new(from, to)?;
    let mut out =
        Vec::with_capacity((samples.len() as f64 * f64::from(to) / f64::from(from)) as usize + 1);
    resampler.push(&samples, &mut out)?;
    drop(samples);
    resampler.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests;

//! Fundamental frequency (F0) and periodicity per frame by YIN (de Cheveigné & Kawahara 2002,
//! the method of `librosa.yin`), read from the same centre-padded frames as the STFT: the
//! prosody a log-mel spectrum at 31 Hz resolution barely shows, and what tells a happy voice
//! (wide pitch movement) from an angry one.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::frame::frames;

/// Lowest F0 searched, in Hz: below a low male speaking voice.
pub const FMIN: f32 = 70.0;
/// Highest F0 searched, in Hz: above a raised female or child voice.
pub const FMAX: f32 = 500.0;
/// YIN's threshold on the cumulative mean normalised difference: the first dip under it is
/// the period (librosa's `trough_threshold`, raised from its 0.1: fewer octave errors on
/// these short frames against `librosa.pyin` on real clips).
pub const TROUGH_THRESHOLD: f32 = 0.2;
/// Frames whose best dip is under this are voiced (periodicity above `1 - VOICED_DIP`).
pub const VOICED_DIP: f32 = 0.3;

/// F0 and periodicity of every frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pitch {
    /// F0 in Hz, 0 where the frame is not voiced.
    pub f0: Vec<f32>,
    /// `1 - d'(τ)` at the chosen period, in [0, 1]: 1 for a pure periodic frame, 0 for noise
    /// or silence (an aperiodicity measure akin to the harmonics-to-noise ratio).
    pub periodicity: Vec<f32>,
}

/// The work buffers of YIN's FFTs and difference function ([`Yin::buffers`]).
pub struct YinBuffers {
    frame: Vec<f32>,
    head: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    head_spectrum: Vec<Complex<f32>>,
    correlation: Vec<f32>,
    scratch: Vec<Complex<f32>>,
    cmnd: Vec<f32>,
}

/// A planned YIN over frames of `n_fft` samples: the difference function integrates over the
/// first `n_fft / 2` samples of a frame, and lags reach as far as the frame allows.
pub struct Yin {
    n_fft: usize,
    hop: usize,
    sr: f32,
    window: usize,
    min_period: usize,
    max_period: usize,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
}

impl Yin {
    /// Plans the FFTs for frames of `n_fft` samples every `hop` at `sr` Hz.
    pub fn new(sr: u32, n_fft: usize, hop: usize) -> Self {
        let mut planner = RealFftPlanner::new();
        let window = n_fft / 2;
        let sr = sr as f32;
        Self {
            n_fft,
            hop,
            sr,
            window,
            min_period: ((sr / FMAX).floor() as usize).max(2),
            max_period: ((sr / FMIN).ceil() as usize).min(n_fft.saturating_sub(window + 1)),
            forward: planner.plan_fft_forward(n_fft),
            inverse: planner.plan_fft_inverse(n_fft),
        }
    }

    /// F0 and periodicity of each frame of the centre-padded signal `padded`.
    pub fn pitch(&self, padded: &[f32]) -> Pitch {
        let mut pitch = Pitch::default();
        self.extend_pitch(&mut pitch, padded, &mut self.buffers());
        pitch
    }

    /// Work buffers for [`Self::extend_pitch`], made once per signal and reused block after
    /// block.
    pub fn buffers(&self) -> YinBuffers {
        YinBuffers {
            frame: self.forward.make_input_vec(),
            head: self.forward.make_input_vec(),
            spectrum: self.forward.make_output_vec(),
            head_spectrum: self.forward.make_output_vec(),
            correlation: self.inverse.make_output_vec(),
            scratch: vec![Complex::default(); self.forward.get_scratch_len()],
            cmnd: vec![0.0f32; self.max_period + 1],
        }
    }

    /// Appends to `pitch` the F0 and periodicity of each frame of `padded`, a centre-padded
    /// signal or a stretch of one (frames are independent).
    pub fn extend_pitch(&self, pitch: &mut Pitch, padded: &[f32], buffers: &mut YinBuffers) {
        let YinBuffers {
            frame: frame_buf,
            head: head_buf,
            spectrum,
            head_spectrum,
            correlation,
            scratch,
            cmnd,
        } = buffers;
        for frame in frames(padded, self.n_fft, self.hop) {
            let (f0, periodicity) = if self.min_period + 1 >= self.max_period {
                (0.0, 0.0)
            } else {
                frame_buf.copy_from_slice(frame);
                head_buf.fill(0.0);
                head_buf[..self.window].copy_from_slice(&frame[..self.window]);
                self.forward
                    .process_with_scratch(frame_buf, spectrum, scratch)
                    .expect("buffers come from the plan itself");
                self.forward
                    .process_with_scratch(head_buf, head_spectrum, scratch)
                    .expect("buffers come from the plan itself");
                for (a, b) in spectrum.iter_mut().zip(head_spectrum.iter()) {
                    *a *= b.conj();
                }
                spectrum[0].im = 0.0;
                if let Some(last) = spectrum.last_mut() {
                    last.im = 0.0;
                }
                self.inverse
                    .process_with_scratch(spectrum, correlation, scratch)
                    .expect("buffers come from the plan itself");
                let scale = 1.0 / self.n_fft as f32;
                self.difference(frame, correlation, scale, cmnd);
                self.period(cmnd)
            };
            pitch.f0.push(f0);
            pitch.periodicity.push(periodicity);
        }
    }

    /// YIN's cumulative mean normalised difference `d'(τ)` for `τ` in `0..=max_period`, from the
    /// cross-correlation of the frame with its first `window` samples (unscaled by `scale`).
    fn difference(&self, frame: &[f32], correlation: &[f32], scale: f32, cmnd: &mut [f32]) {
        let w = self.window;
        let mut energy = frame[..w].iter().map(|x| x * x).sum::<f32>();
        let energy0 = energy;
        cmnd[0] = 1.0;
        let mut running = 0.0f32;
        for tau in 1..=self.max_period {
            energy += frame[tau + w - 1].powi(2) - frame[tau - 1].powi(2);
            let d = (energy0 + energy.max(0.0) - 2.0 * correlation[tau] * scale).max(0.0);
            running += d;
            cmnd[tau] = if running > f32::EPSILON * energy0.max(f32::MIN_POSITIVE) * tau as f32 {
                d * tau as f32 / running
            } else {
                1.0
            };
        }
    }

    /// The period of the first dip under the threshold (else the deepest), refined by a
    /// parabola through its neighbours: `(f0, periodicity)`.
    fn period(&self, cmnd: &[f32]) -> (f32, f32) {
        let (lo, hi) = (self.min_period, self.max_period);
        let mut best = (lo..=hi)
            .min_by(|&a, &b| cmnd[a].total_cmp(&cmnd[b]))
            .unwrap_or(lo);
        if let Some(first) = (lo..=hi).find(|&t| cmnd[t] < TROUGH_THRESHOLD) {
            let mut t = first;
            while t < hi && cmnd[t + 1] < cmnd[t] {
                t += 1;
            }
            best = t;
        }
        let dip = cmnd[best];
        let periodicity = (1.0 - dip).clamp(0.0, 1.0);
        if dip >= VOICED_DIP {
            return (0.0, periodicity);
        }
        let (a, b) = (cmnd[best - 1], dip);
        let c = if best < hi { cmnd[best + 1] } else { dip };
        let curvature = a - 2.0 * b + c;
        let shift = if curvature > 0.0 {
            (0.5 * (a - c) / curvature).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        (self.sr / (best as f32 + shift), periodicity)
    }
}

/// The model's three prosody rows for one window: periodicity, F0 in semitones relative to
/// the window's median voiced F0 (0 where unvoiced), and that median in semitones above
/// 100 Hz on every frame (0 when nothing is voiced). Relative pitch is the movement whatever
/// the speaker's register; the median keeps the register a raised voice moves.
pub fn prosody_rows(pitch: &Pitch) -> [Vec<f32>; 3] {
    let mut voiced: Vec<f32> = pitch.f0.iter().copied().filter(|&f| f > 0.0).collect();
    let median = if voiced.is_empty() {
        None
    } else {
        voiced.sort_by(f32::total_cmp);
        Some(voiced[voiced.len() / 2])
    };
    let semitones = |f: f32, reference: f32| 12.0 * (f / reference).log2();
    let relative = pitch
        .f0
        .iter()
        .map(|&f| match median {
            Some(m) if f > 0.0 => semitones(f, m),
            _ => 0.0,
        })
        .collect();
    let level = median.map_or(0.0, |m| semitones(m, 100.0));
    [
        pitch.periodicity.clone(),
        relative,
        vec![level; pitch.f0.len()],
    ]
}

#[cfg(test)]
mod tests {
    use super::super::frame::{Padding, pad_center};
    use super::*;

    fn yin() -> Yin {
        Yin::new(16_000, 512, 256)
    }

    /// A voiced-like tone: a fundamental and three harmonics of falling strength.
    fn harmonic(f0: f32, seconds: f32) -> Vec<f32> {
        (0..(16_000.0 * seconds) as usize)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                (1..=4)
                    .map(|k| (std::f32::consts::TAU * f0 * k as f32 * t).sin() / k as f32)
                    .sum::<f32>()
                    * 0.2
            })
            .collect()
    }

    fn noise(n: usize) -> Vec<f32> {
        let mut state = 12_345u32;
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn finds_the_fundamental_of_voices_across_the_range() {
        for f0 in [82.0f32, 120.0, 220.0, 310.0, 450.0] {
            let padded = pad_center(&harmonic(f0, 0.5), 512, Padding::Zeros);
            let pitch = yin().pitch(&padded);
            assert_eq!(pitch.f0.len(), 1 + 8_000 / 256);
            let inner = &pitch.f0[3..pitch.f0.len() - 3];
            for &f in inner {
                let cents = 1200.0 * (f / f0).log2();
                assert!(cents.abs() < 20.0, "{f0} Hz read as {f}");
            }
            assert!(pitch.periodicity[10] > 0.95, "{f0} Hz");
        }
    }

    #[test]
    fn noise_and_silence_are_unvoiced() {
        let padded = pad_center(&noise(8_000), 512, Padding::Zeros);
        let pitch = yin().pitch(&padded);
        let voiced = pitch.f0.iter().filter(|&&f| f > 0.0).count();
        assert!(voiced * 10 < pitch.f0.len(), "{voiced} noise frames voiced");
        let silent = yin().pitch(&vec![0.0; 8_000]);
        assert!(silent.f0.iter().all(|&f| f == 0.0));
        assert!(silent.periodicity.iter().all(|&p| p == 0.0));
    }

    #[test]
    fn prosody_rows_are_relative_pitch_and_the_register() {
        let pitch = Pitch {
            f0: vec![0.0, 200.0, 100.0, 200.0, 400.0],
            periodicity: vec![0.1, 0.9, 0.9, 0.9, 0.9],
        };
        let [periodicity, relative, level] = prosody_rows(&pitch);
        assert_eq!(periodicity, pitch.periodicity);
        assert_eq!(relative, vec![0.0, 0.0, -12.0, 0.0, 12.0]);
        assert_eq!(level, vec![12.0; 5]);
        let silent = prosody_rows(&Pitch {
            f0: vec![0.0; 3],
            periodicity: vec![0.0; 3],
        });
        assert_eq!(silent[1], vec![0.0; 3]);
        assert_eq!(silent[2], vec![0.0; 3]);
    }
}

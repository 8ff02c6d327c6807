//! The recording channel, drawn at random: a room (a synthetic impulse response), an equaliser
//! and spectral tilt, a telephone line, a gain (with clipping), and background noise (white,
//! pink, or babble mixed from other training clips) at 0-30 dB SNR. New users speak through
//! microphones and rooms the corpora never had; these teach the model that none of them is the
//! emotion.

use std::f32::consts::PI;

use rand::Rng;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde::Serialize;

use super::noise::gaussian;

/// A room: reverberation time and the energy of the reverberant tail against the direct sound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Room {
    pub rt60: f32,
    pub direct_to_reverb_db: f32,
}

/// A second-order section (RBJ audio-EQ cookbook), direct form I.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Biquad {
    b: [f32; 3],
    a: [f32; 2],
}

impl Biquad {
    /// A peak (or notch) of `gain_db` at `f0` Hz.
    pub fn peak(f0: f32, q: f32, gain_db: f32, sr: f32) -> Self {
        let a = 10f32.powf(gain_db / 40.0);
        let w = 2.0 * PI * f0 / sr;
        let alpha = w.sin() / (2.0 * q);
        Self::normalised(
            [1.0 + alpha * a, -2.0 * w.cos(), 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * w.cos(), 1.0 - alpha / a],
        )
    }

    /// A high shelf of `gain_db` above `f0` Hz: a spectral tilt.
    pub fn high_shelf(f0: f32, gain_db: f32, sr: f32) -> Self {
        let a = 10f32.powf(gain_db / 40.0);
        let w = 2.0 * PI * f0 / sr;
        let (cos, alpha) = (w.cos(), w.sin() / 2.0 * 2f32.sqrt());
        let s = 2.0 * a.sqrt() * alpha;
        Self::normalised(
            [
                a * ((a + 1.0) + (a - 1.0) * cos + s),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                a * ((a + 1.0) + (a - 1.0) * cos - s),
            ],
            [
                (a + 1.0) - (a - 1.0) * cos + s,
                2.0 * ((a - 1.0) - (a + 1.0) * cos),
                (a + 1.0) - (a - 1.0) * cos - s,
            ],
        )
    }

    /// A Butterworth high-pass (`high`) or low-pass at `f0` Hz.
    pub fn pass(f0: f32, high: bool, sr: f32) -> Self {
        let w = 2.0 * PI * f0 / sr;
        let (cos, alpha) = (w.cos(), w.sin() / 2f32.sqrt());
        let b = if high {
            [(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0]
        } else {
            [(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0]
        };
        Self::normalised(b, [1.0 + alpha, -2.0 * cos, 1.0 - alpha])
    }

    fn normalised(b: [f32; 3], a: [f32; 3]) -> Self {
        Self {
            b: b.map(|v| v / a[0]),
            a: [a[1] / a[0], a[2] / a[0]],
        }
    }

    /// Filters `x` in place.
    pub fn run(&self, x: &mut [f32]) {
        let (mut x1, mut x2, mut y1, mut y2) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for v in x.iter_mut() {
            let y =
                self.b[0] * *v + self.b[1] * x1 + self.b[2] * x2 - self.a[0] * y1 - self.a[1] * y2;
            (x2, x1, y2, y1) = (x1, *v, y1, y);
            *v = y;
        }
    }
}

/// The background added.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Background {
    White,
    Pink,
    /// Several other training voices talking at once.
    Babble,
}

/// One drawn channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    pub room: Option<Room>,
    pub filters: Vec<Biquad>,
    pub telephone: bool,
    pub gain_db: f32,
    pub noise: Option<(Background, f32)>,
}

impl Channel {
    /// Draws a channel: a room half the time, an equaliser (one to three peaks of ±8 dB and a
    /// tilt of ±6 dB above 1 kHz) 60 %, a telephone line (300-3400 Hz) 15 %, a gain of ±10 dB
    /// always (clipped at full scale), noise at 0-30 dB SNR 70 % (white, pink or babble alike).
    pub fn draw(rng: &mut impl Rng, sr: f32) -> Self {
        let room = rng.random_bool(0.5).then(|| Room {
            rt60: rng.random_range(0.15..0.9),
            direct_to_reverb_db: rng.random_range(-3.0..12.0),
        });
        let mut filters = Vec::new();
        if rng.random_bool(0.6) {
            for _ in 0..rng.random_range(1..=3) {
                let f0 = 150.0 * (40f32).powf(rng.random_range(0.0..1.0));
                filters.push(Biquad::peak(
                    f0,
                    rng.random_range(0.7..2.0),
                    rng.random_range(-8.0..8.0),
                    sr,
                ));
            }
            filters.push(Biquad::high_shelf(1000.0, rng.random_range(-6.0..6.0), sr));
        }
        let telephone = rng.random_bool(0.15);
        let gain_db = rng.random_range(-10.0..10.0);
        let noise = rng.random_bool(0.7).then(|| {
            let kind = match rng.random_range(0..3) {
                0 => Background::White,
                1 => Background::Pink,
                _ => Background::Babble,
            };
            (kind, rng.random_range(0.0..30.0))
        });
        Self {
            room,
            filters,
            telephone,
            gain_db,
            noise,
        }
    }

    /// Passes `samples` through the channel; `babble` is the mixture used as babble noise (any
    /// length, looped; white noise stands in when it is empty).
    pub fn apply(&self, samples: &[f32], sr: f32, babble: &[f32], rng: &mut impl Rng) -> Vec<f32> {
        let mut out = match self.room {
            Some(room) => reverberate(samples, room, sr, rng),
            None => samples.to_vec(),
        };
        for f in &self.filters {
            f.run(&mut out);
        }
        if self.telephone {
            for f in [
                Biquad::pass(300.0, true, sr),
                Biquad::pass(300.0, true, sr),
                Biquad::pass(3400.0, false, sr),
                Biquad::pass(3400.0, false, sr),
            ] {
                f.run(&mut out);
            }
        }
        if let Some((kind, snr_db)) = self.noise {
            let noise = match kind {
                Background::Babble if !babble.is_empty() => {
                    let start = rng.random_range(0..babble.len());
                    (0..out.len())
                        .map(|i| babble[(start + i) % babble.len()])
                        .collect()
                }
                Background::Pink => pink(out.len(), rng),
                _ => (0..out.len()).map(|_| gaussian(rng) as f32).collect(),
            };
            add_at_snr(&mut out, &noise, snr_db);
        }
        let gain = 10f32.powf(self.gain_db / 20.0);
        for v in &mut out {
            *v = (*v * gain).clamp(-1.0, 1.0);
        }
        out
    }
}

fn power(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len().max(1) as f64
}

/// Adds `noise` scaled so that the signal's power over the noise's is `snr_db`.
pub fn add_at_snr(signal: &mut [f32], noise: &[f32], snr_db: f32) {
    let (ps, pn) = (power(signal), power(noise));
    if pn <= 0.0 || ps <= 0.0 {
        return;
    }
    let scale = (ps / pn / 10f64.powf(f64::from(snr_db) / 10.0)).sqrt() as f32;
    for (s, n) in signal.iter_mut().zip(noise) {
        *s += scale * n;
    }
}

/// Pink (1/f) noise: Paul Kellet's economical filter over white noise.
fn pink(n: usize, rng: &mut impl Rng) -> Vec<f32> {
    let mut b = [0.0f32; 3];
    (0..n)
        .map(|_| {
            let white = gaussian(rng) as f32;
            b[0] = 0.99765 * b[0] + white * 0.0990460;
            b[1] = 0.96300 * b[1] + white * 0.2965164;
            b[2] = 0.57000 * b[2] + white * 1.0526913;
            b[0] + b[1] + b[2] + white * 0.1848
        })
        .collect()
}

/// A synthetic room impulse response: the direct sound, then after a few milliseconds a tail of
/// noise decaying by 60 dB over `rt60`, scaled to the drawn direct-to-reverberant ratio.
pub fn impulse_response(room: Room, sr: f32, rng: &mut impl Rng) -> Vec<f32> {
    let length = (room.rt60.min(0.8) * sr) as usize;
    let delay = (rng.random_range(0.002..0.01) * sr) as usize;
    let mut h = vec![0.0f32; length.max(delay + 2)];
    let decay = 6.9 / (room.rt60 * sr);
    for (i, v) in h.iter_mut().enumerate().skip(delay) {
        *v = gaussian(rng) as f32 * (-decay * (i - delay) as f32).exp();
    }
    let tail: f32 = h.iter().map(|v| v * v).sum();
    let scale = (10f32.powf(-room.direct_to_reverb_db / 10.0) / tail.max(1e-12)).sqrt();
    for v in &mut h {
        *v *= scale;
    }
    h[0] = 1.0;
    h
}

fn reverberate(samples: &[f32], room: Room, sr: f32, rng: &mut impl Rng) -> Vec<f32> {
    let h = impulse_response(room, sr, rng);
    let mut out = convolve(samples, &h);
    out.truncate(samples.len());
    out
}

/// Linear convolution by FFT.
pub fn convolve(x: &[f32], h: &[f32]) -> Vec<f32> {
    if x.is_empty() || h.is_empty() {
        return Vec::new();
    }
    let n = (x.len() + h.len() - 1).next_power_of_two();
    let mut planner = FftPlanner::<f32>::new();
    let (forward, inverse) = (planner.plan_fft_forward(n), planner.plan_fft_inverse(n));
    let spectrum = |v: &[f32]| {
        let mut buf: Vec<Complex<f32>> = v.iter().map(|&r| Complex::new(r, 0.0)).collect();
        buf.resize(n, Complex::new(0.0, 0.0));
        forward.process(&mut buf);
        buf
    };
    let mut product: Vec<Complex<f32>> = spectrum(x)
        .iter()
        .zip(spectrum(h))
        .map(|(a, b)| a * b)
        .collect();
    inverse.process(&mut product);
    product
        .iter()
        .take(x.len() + h.len() - 1)
        .map(|c| c.re / n as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn tone(f: f32, seconds: f32) -> Vec<f32> {
        (0..(16_000.0 * seconds) as usize)
            .map(|i| 0.3 * (2.0 * PI * f * i as f32 / 16_000.0).sin())
            .collect()
    }

    #[test]
    fn convolution_matches_the_direct_sum() {
        let x = [1.0, 2.0, -1.0, 0.5];
        let h = [0.5, 0.25, 0.0, -1.0];
        let direct: Vec<f32> = (0..x.len() + h.len() - 1)
            .map(|n| {
                (0..h.len())
                    .filter(|&k| n >= k && n - k < x.len())
                    .map(|k| h[k] * x[n - k])
                    .sum()
            })
            .collect();
        for (a, b) in convolve(&x, &h).iter().zip(&direct) {
            assert!((a - b).abs() < 1e-5, "{a} against {b}");
        }
    }

    #[test]
    fn telephone_line_removes_low_and_high_tones() {
        let channel = Channel {
            room: None,
            filters: Vec::new(),
            telephone: true,
            gain_db: 0.0,
            noise: None,
        };
        let mut rng = StdRng::seed_from_u64(1);
        for (f, passes) in [(100.0, false), (1000.0, true), (6000.0, false)] {
            let x = tone(f, 0.5);
            let y = channel.apply(&x, 16_000.0, &[], &mut rng);
            let ratio = power(&y[4000..]) / power(&x[4000..]);
            assert_eq!(ratio > 0.5, passes, "{f} Hz kept {ratio}");
        }
    }

    #[test]
    fn noise_is_added_at_the_drawn_snr() {
        let x = tone(440.0, 1.0);
        let mut y = x.clone();
        let mut rng = StdRng::seed_from_u64(2);
        let noise = pink(x.len(), &mut rng);
        add_at_snr(&mut y, &noise, 10.0);
        let residual: Vec<f32> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
        let snr = 10.0 * (power(&x) / power(&residual)).log10();
        assert!((snr - 10.0).abs() < 0.01, "{snr}");
    }

    #[test]
    fn room_tail_decays_and_keeps_the_direct_sound() {
        let room = Room {
            rt60: 0.5,
            direct_to_reverb_db: 0.0,
        };
        let h = impulse_response(room, 16_000.0, &mut StdRng::seed_from_u64(3));
        assert_eq!(h[0], 1.0);
        let tail: f32 = h[1..].iter().map(|v| v * v).sum();
        assert!(
            (tail - 1.0).abs() < 1e-3,
            "direct-to-reverberant 0 dB: {tail}"
        );
        let early: f32 = h[200..1200].iter().map(|v| v * v).sum();
        let late: f32 = h[6000..7000].iter().map(|v| v * v).sum();
        assert!(
            late < early / 100.0,
            "60 dB over 0.5 s: {early} then {late}"
        );
    }

    #[test]
    fn a_drawn_channel_keeps_length_and_full_scale() {
        let x = tone(300.0, 1.0);
        let mut rng = StdRng::seed_from_u64(4);
        for _ in 0..20 {
            let channel = Channel::draw(&mut rng, 16_000.0);
            let y = channel.apply(&x, 16_000.0, &tone(170.0, 0.3), &mut rng);
            assert_eq!(y.len(), x.len());
            assert!(y.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
        }
    }
}

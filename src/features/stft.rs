//! The framed short-time Fourier transform every spectral feature is composed from, as
//! `librosa.stft(center=True, pad_mode="constant", window="hann")` computes it.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::frame::{Padding, frames, pad_center};

/// A planned STFT of one size: periodic Hann window, zero centre padding.
pub struct Stft {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    fft: Arc<dyn Fft<f32>>,
}

impl Stft {
    /// Plans the FFT and builds the window once, for reuse on every signal.
    pub fn new(n_fft: usize, hop: usize) -> Self {
        let window = (0..n_fft)
            .map(|n| {
                let phase = std::f64::consts::TAU * n as f64 / n_fft as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        let fft = FftPlanner::new().plan_fft_forward(n_fft);
        Self {
            n_fft,
            hop,
            window,
            fft,
        }
    }

    /// Number of frequency bins, `1 + n_fft / 2`.
    pub fn n_bins(&self) -> usize {
        self.n_fft / 2 + 1
    }

    /// Calls `sink(frame, power)` with the power spectrum `|X|²` of each frame in order.
    ///
    /// Two real frames go through one complex FFT (one as the real part, the next as the
    /// imaginary part) and are separated by conjugate symmetry, which halves the FFT work.
    pub fn power_frames(&self, samples: &[f32], mut sink: impl FnMut(usize, &[f32])) {
        let padded = pad_center(samples, self.n_fft, Padding::Zeros);
        let all: Vec<&[f32]> = frames(&padded, self.n_fft, self.hop).collect();
        let n = self.n_fft;
        let bins = self.n_bins();
        let mut buffer = vec![Complex::new(0.0f32, 0.0); n];
        let mut scratch = vec![Complex::new(0.0f32, 0.0); self.fft.get_inplace_scratch_len()];
        let mut first = vec![0.0f32; bins];
        let mut second = vec![0.0f32; bins];
        for (pair_index, pair) in all.chunks(2).enumerate() {
            let a = pair[0];
            let b = pair.get(1).copied();
            for (i, slot) in buffer.iter_mut().enumerate() {
                let w = self.window[i];
                *slot = Complex::new(w * a[i], b.map_or(0.0, |b| w * b[i]));
            }
            self.fft.process_with_scratch(&mut buffer, &mut scratch);
            for k in 0..bins {
                let z = buffer[k];
                let zc = buffer[(n - k) % n].conj();
                let x = (z + zc) * 0.5;
                let y = (z - zc) * 0.5;
                first[k] = x.norm_sqr();
                second[k] = y.norm_sqr();
            }
            sink(2 * pair_index, &first);
            if b.is_some() {
                sink(2 * pair_index + 1, &second);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A direct DFT of one windowed frame, for reference.
    fn dft_power(frame: &[f32], window: &[f32]) -> Vec<f64> {
        let n = frame.len();
        (0..=n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for (i, (&x, &w)) in frame.iter().zip(window).enumerate() {
                    let phase = -std::f64::consts::TAU * (k * i) as f64 / n as f64;
                    re += f64::from(x * w) * phase.cos();
                    im += f64::from(x * w) * phase.sin();
                }
                re * re + im * im
            })
            .collect()
    }

    #[test]
    fn paired_fft_matches_direct_dft_for_odd_and_even_frame_counts() {
        let signal: Vec<f32> = (0..1000)
            .map(|i| ((i * 7919) % 113) as f32 / 113.0 - 0.5)
            .collect();
        for len in [1000, 1000 - 64] {
            let stft = Stft::new(128, 64);
            let padded = pad_center(&signal[..len], 128, Padding::Zeros);
            let mut count = 0;
            stft.power_frames(&signal[..len], |t, power| {
                let frame = &padded[t * 64..t * 64 + 128];
                let expected = dft_power(frame, &stft.window);
                for (p, e) in power.iter().zip(&expected) {
                    assert!((f64::from(*p) - e).abs() <= 1e-4 * (1.0 + e), "frame {t}");
                }
                count += 1;
            });
            assert_eq!(count, 1 + len / 64);
        }
    }

    #[test]
    fn window_is_periodic_hann() {
        let stft = Stft::new(8, 4);
        assert_eq!(stft.window[0], 0.0);
        assert!((stft.window[4] - 1.0).abs() < 1e-7);
        assert!((stft.window[2] - 0.5).abs() < 1e-7);
    }
}

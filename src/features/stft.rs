//! The framed short-time Fourier transform every spectral feature is composed from, as
//! `librosa.stft(center=True, pad_mode="constant", window="hann")` computes it.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use super::frame::{FRAME_BLOCK, frame_count, frames};

/// A planned real-input STFT of one size: periodic Hann window, over an already padded signal.
pub struct Stft {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
}

impl Stft {
    /// Plans the real FFT and builds the window once, for reuse on every signal.
    pub fn new(n_fft: usize, hop: usize) -> Self {
        let window = (0..n_fft)
            .map(|n| {
                let phase = std::f64::consts::TAU * n as f64 / n_fft as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        let fft = RealFftPlanner::new().plan_fft_forward(n_fft);
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

    /// Calls `sink(first, width, block)` with the power spectra `|X|²` of the frames of the
    /// centre-padded signal `padded`, [`FRAME_BLOCK`] frames at a time and in order: `block[k][j]`
    /// is bin `k` of frame `first + j`, for `j < width` (the last block may be narrower). One
    /// windowed copy of each frame is the only copy made, and each power lands where the
    /// filterbank reads it.
    #[inline(always)]
    pub fn power_blocks(
        &self,
        padded: &[f32],
        mut sink: impl FnMut(usize, usize, &[[f32; FRAME_BLOCK]]),
    ) {
        let mut input = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut block = vec![0.0f32; self.n_bins() * FRAME_BLOCK];
        let (block, _) = block.as_chunks_mut::<FRAME_BLOCK>();
        let total = frame_count(padded.len(), self.n_fft, self.hop);
        for (t, frame) in frames(padded, self.n_fft, self.hop).enumerate() {
            for ((slot, &x), &w) in input.iter_mut().zip(frame).zip(&self.window) {
                *slot = x * w;
            }
            self.fft
                .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
                .expect("buffers come from the plan itself");
            let j = t % FRAME_BLOCK;
            for (bin, z) in block.iter_mut().zip(&spectrum) {
                bin[j] = z.norm_sqr();
            }
            if j + 1 == FRAME_BLOCK || t + 1 == total {
                sink(t - j, j + 1, block);
            }
        }
    }

    /// The FFTs of the same frames and nothing else (no window, no power): the floor the
    /// feature benchmark compares the whole extraction against.
    pub fn fft_floor(&self, padded: &[f32]) -> Complex<f32> {
        let mut input = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut acc = Complex::new(0.0, 0.0);
        for frame in frames(padded, self.n_fft, self.hop) {
            input.copy_from_slice(frame);
            self.fft
                .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
                .expect("buffers come from the plan itself");
            acc += spectrum[1];
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::super::frame::{Padding, pad_center};
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
    fn real_fft_matches_direct_dft_for_odd_and_even_frame_counts() {
        let signal: Vec<f32> = (0..1000)
            .map(|i| ((i * 7919) % 113) as f32 / 113.0 - 0.5)
            .collect();
        for len in [1000, 1000 - 64] {
            let stft = Stft::new(128, 64);
            let padded = pad_center(&signal[..len], 128, Padding::Zeros);
            let mut count = 0;
            stft.power_blocks(&padded, |first, width, block| {
                for j in 0..width {
                    let t = first + j;
                    assert_eq!(t, count);
                    let frame = &padded[t * 64..t * 64 + 128];
                    let expected = dft_power(frame, &stft.window);
                    for (bin, e) in block.iter().zip(&expected) {
                        let p = f64::from(bin[j]);
                        assert!((p - e).abs() <= 1e-4 * (1.0 + e), "frame {t}");
                    }
                    count += 1;
                }
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

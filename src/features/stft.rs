//! The framed short-time Fourier transform every spectral feature is composed from, as
//! `librosa.stft(center=True, pad_mode="constant", window="hann")` computes it.
//!
//! Each real frame of `n_fft` samples is transformed as a complex FFT of half its length (even
//! samples as real parts, odd ones as imaginary parts), [`FRAME_BLOCK`] frames in one rustfft
//! call, and the spectrum is unfolded straight into powers. That is realfft's algorithm, but its
//! unfolding pass is generic scalar code that cost more than the butterflies themselves (28 %
//! against 17 % of a profile of the minute-long clip); here it is fused with `|X|²` and
//! vectorises. The arithmetic is realfft's, operation for operation, so the powers are the same
//! bit for bit (tested). The plain realfft transform stays as the benchmark's floor.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::frame::{FRAME_BLOCK, block_stretches, frame_count, frames};

/// A planned STFT of one even size: periodic Hann window, over an already padded signal.
pub struct Stft {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    /// The complex FFT of `n_fft / 2` points the frames are folded into.
    half: Arc<dyn Fft<f32>>,
    /// `e^{-iπk/(n_fft/2)}` for `k < n_fft / 2`, split into real and imaginary parts.
    twiddle_re: Vec<f32>,
    twiddle_im: Vec<f32>,
    /// realfft's transform of the same frames, for [`Self::fft_floor`] only.
    real: Arc<dyn RealToComplex<f32>>,
}

impl Stft {
    /// Plans the FFTs and builds the window and twiddles once, for reuse on every signal.
    /// `n_fft` must be even and at least 2 ([`super::FeatureConfig::validate`] checks it).
    pub fn new(n_fft: usize, hop: usize) -> Self {
        assert!(n_fft >= 2 && n_fft.is_multiple_of(2), "n_fft must be even");
        let half_len = n_fft / 2;
        let window = (0..n_fft)
            .map(|n| {
                let phase = std::f64::consts::TAU * n as f64 / n_fft as f64;
                (0.5 - 0.5 * phase.cos()) as f32
            })
            .collect();
        let angle = |k: usize| std::f64::consts::PI * k as f64 / half_len as f64;
        Self {
            n_fft,
            hop,
            window,
            half: FftPlanner::new().plan_fft_forward(half_len),
            twiddle_re: (0..half_len).map(|k| angle(k).cos() as f32).collect(),
            twiddle_im: (0..half_len).map(|k| -angle(k).sin() as f32).collect(),
            real: RealFftPlanner::new().plan_fft_forward(n_fft),
        }
    }

    /// Number of frequency bins, `1 + n_fft / 2`.
    pub fn n_bins(&self) -> usize {
        self.n_fft / 2 + 1
    }

    /// Work buffers for [`Self::block_powers`], made once per signal and reused block after block.
    pub fn buffers(&self) -> StftBuffers {
        let half_len = self.n_fft / 2;
        let zero = Complex::new(0.0, 0.0);
        StftBuffers {
            folded: vec![zero; half_len * FRAME_BLOCK],
            spectra: vec![zero; half_len * FRAME_BLOCK],
            scratch: vec![zero; self.half.get_outofplace_scratch_len()],
            powers: vec![[0.0f32; FRAME_BLOCK]; self.n_bins()],
        }
    }

    /// The power spectra `|X|²` of the frames of `stretch`, a stretch of the centre-padded signal
    /// holding at most [`FRAME_BLOCK`] frames (see [`super::frame::block_stretches`]): returns
    /// their number `width` and the block, where `block[k][j]` is bin `k` of frame `j < width`.
    /// One windowed copy of each frame is the only copy made, and each power lands where the
    /// filterbank reads it.
    #[inline(always)]
    pub fn block_powers<'b>(
        &self,
        stretch: &[f32],
        buffers: &'b mut StftBuffers,
    ) -> (usize, &'b [[f32; FRAME_BLOCK]]) {
        let width = self.transform_block(
            stretch,
            buffers,
            #[inline(always)]
            |frame, dst| self.fold_windowed(frame, dst),
        );
        let StftBuffers {
            spectra, powers, ..
        } = buffers;
        let used = width * self.n_fft / 2;
        for (j, spectrum) in spectra[..used].chunks_exact(self.n_fft / 2).enumerate() {
            self.unfold_power(spectrum, powers, j);
        }
        (width, powers)
    }

    /// Folds the frames of `stretch` (at most [`FRAME_BLOCK`]) with `fold` and transforms them
    /// in one call, into `buffers.spectra`; returns how many frames there were.
    #[inline(always)]
    fn transform_block(
        &self,
        stretch: &[f32],
        buffers: &mut StftBuffers,
        fold: impl Fn(&[f32], &mut [Complex<f32>]),
    ) -> usize {
        let half_len = self.n_fft / 2;
        let width = frame_count(stretch.len(), self.n_fft, self.hop);
        assert!(width <= FRAME_BLOCK, "a stretch holds at most one block");
        let used = half_len * width;
        let dsts = buffers.folded[..used].chunks_exact_mut(half_len);
        for (dst, frame) in dsts.zip(frames(stretch, self.n_fft, self.hop)) {
            fold(frame, dst);
        }
        self.half.process_outofplace_with_scratch(
            &mut buffers.folded[..used],
            &mut buffers.spectra[..used],
            &mut buffers.scratch,
        );
        width
    }

    /// The windowed frame as `n_fft / 2` complex values: even samples real, odd ones imaginary.
    #[inline(always)]
    fn fold_windowed(&self, frame: &[f32], dst: &mut [Complex<f32>]) {
        let pairs = frame.chunks_exact(2).zip(self.window.chunks_exact(2));
        for (slot, (x, w)) in dst.iter_mut().zip(pairs) {
            *slot = Complex::new(x[0] * w[0], x[1] * w[1]);
        }
    }

    /// `|X[k]|²` for every bin of the real frame whose folded transform is `z`, into
    /// `block[k][j]`. With `a = z[k]` and `b = conj(z[m - k])` (`m = n_fft / 2`, indices mod
    /// `m`), the even samples' spectrum is `(a + b) / 2`, the odd ones' `-i (a - b) / 2`, and
    /// `X[k]` is the first plus the twiddle `e^{-iπk/m}` times the second.
    #[inline(always)]
    fn unfold_power(&self, z: &[Complex<f32>], block: &mut [[f32; FRAME_BLOCK]], j: usize) {
        let m = z.len();
        let (dc, nyquist) = (z[0].re + z[0].im, z[0].re - z[0].im);
        block[0][j] = dc * dc;
        block[m][j] = nyquist * nyquist;
        let rest = block[1..m].iter_mut().zip(&z[1..]).zip(z[1..].iter().rev());
        let twiddles = self.twiddle_re[1..].iter().zip(&self.twiddle_im[1..]);
        for (((bin, a), b), (&c, &s)) in rest.zip(twiddles) {
            let even_re = 0.5 * (a.re + b.re);
            let even_im = 0.5 * (a.im - b.im);
            let odd_re = 0.5 * (a.im + b.im);
            let odd_im = 0.5 * (b.re - a.re);
            let re = even_re + (c * odd_re - s * odd_im);
            let im = even_im + (c * odd_im + s * odd_re);
            bin[j] = re * re + im * im;
        }
    }

    /// realfft's real FFTs of the same frames and nothing else (no window, no power), one call a
    /// frame: the floor the feature benchmark compares the whole extraction against.
    pub fn fft_floor(&self, padded: &[f32]) -> Complex<f32> {
        let mut input = self.real.make_input_vec();
        let mut spectrum = self.real.make_output_vec();
        let mut scratch = self.real.make_scratch_vec();
        let mut acc = Complex::new(0.0, 0.0);
        for frame in frames(padded, self.n_fft, self.hop) {
            input.copy_from_slice(frame);
            self.real
                .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
                .expect("buffers come from the plan itself");
            acc += spectrum[1];
        }
        acc
    }

    /// The folded complex FFTs this STFT runs, [`FRAME_BLOCK`] frames a call, and nothing else
    /// (no window, no unfolding): the floor of the transform as it is computed here.
    pub fn half_fft_floor(&self, padded: &[f32]) -> Complex<f32> {
        let mut acc = Complex::new(0.0, 0.0);
        let mut buffers = self.buffers();
        for (_, stretch) in block_stretches(padded, self.n_fft, self.hop) {
            self.transform_block(stretch, &mut buffers, |frame, dst| {
                for (slot, x) in dst.iter_mut().zip(frame.chunks_exact(2)) {
                    *slot = Complex::new(x[0], x[1]);
                }
            });
            acc += buffers.spectra[1];
        }
        acc
    }
}

/// The work buffers of one signal's STFT ([`Stft::buffers`]).
pub struct StftBuffers {
    folded: Vec<Complex<f32>>,
    spectra: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    powers: Vec<[f32; FRAME_BLOCK]>,
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
    fn folded_fft_matches_direct_dft_for_every_size_and_frame_count() {
        let signal: Vec<f32> = (0..1000)
            .map(|i| ((i * 7919) % 113) as f32 / 113.0 - 0.5)
            .collect();
        for (n_fft, hop) in [(128, 64), (2, 1), (6, 3), (40, 16)] {
            for len in [1000, 1000 - 64, 5] {
                let stft = Stft::new(n_fft, hop);
                let padded = pad_center(&signal[..len], n_fft, Padding::Zeros);
                let mut count = 0;
                let mut buffers = stft.buffers();
                for (first, stretch) in block_stretches(&padded, n_fft, hop) {
                    let (width, block) = stft.block_powers(stretch, &mut buffers);
                    for j in 0..width {
                        let t = first + j;
                        assert_eq!(t, count);
                        let frame = &padded[t * hop..t * hop + n_fft];
                        let expected = dft_power(frame, &stft.window);
                        assert_eq!(block.len(), expected.len());
                        for (bin, e) in block.iter().zip(&expected) {
                            let p = f64::from(bin[j]);
                            assert!(
                                (p - e).abs() <= 1e-4 * (1.0 + e),
                                "n_fft {n_fft}, frame {t}"
                            );
                        }
                        count += 1;
                    }
                }
                assert_eq!(count, 1 + len / hop, "n_fft {n_fft}, {len} samples");
            }
        }
    }

    #[test]
    fn powers_are_realffts_bit_for_bit() {
        let signal: Vec<f32> = (0..20_000)
            .map(|i| (i as f32 * 0.037).sin() * 0.3 + ((i * 7919) % 101) as f32 / 1e3 - 0.05)
            .collect();
        let stft = Stft::new(512, 256);
        let padded = pad_center(&signal, 512, Padding::Zeros);
        let mut input = stft.real.make_input_vec();
        let mut spectrum = stft.real.make_output_vec();
        let mut buffers = stft.buffers();
        for (first, stretch) in block_stretches(&padded, 512, 256) {
            let (width, block) = stft.block_powers(stretch, &mut buffers);
            for j in 0..width {
                let frame = &padded[(first + j) * 256..][..512];
                for ((x, &s), &w) in input.iter_mut().zip(frame).zip(&stft.window) {
                    *x = s * w;
                }
                stft.real.process(&mut input, &mut spectrum).unwrap();
                for (bin, z) in block.iter().zip(&spectrum) {
                    assert_eq!(bin[j].to_bits(), z.norm_sqr().to_bits());
                }
            }
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

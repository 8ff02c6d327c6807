//! Whole-number decimation (32, 48, 96 kHz to 16 kHz) as a plain FIR filter. With such a ratio
//! every output of rubato's sinc resampler is the same filter, read at phase 0 of its table, over
//! the inputs around it: a fixed kernel. That kernel is taken once from rubato itself (its
//! responses to unit impulses, which give each tap exactly) and applied here by a dot product of
//! two vectors of four lanes: explicit WebAssembly SIMD in the page, where rubato has none of its
//! own, and the same arithmetic in the same order natively, so both give the same samples. They
//! differ from rubato's only by the order of the sums (a test bounds it).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// The whole-number factor from `from` Hz down to `to` Hz, if there is one (not 1).
pub fn whole_factor(from: u32, to: u32) -> Option<usize> {
    (to > 0 && from > to && from.is_multiple_of(to)).then(|| (from / to) as usize)
}

/// Lanes of the dot product: two vectors of four.
const LANES: usize = 8;

/// Rubato's filter for one factor: `taps[k]` weighs input `factor × j + first + k` in output `j`.
#[derive(Debug)]
struct Kernel {
    first: isize,
    /// A multiple of [`LANES`] long (zeros at the end).
    taps: Vec<f32>,
}

/// Kernels made so far, by factor: each costs a few of rubato's runs to read.
static KERNELS: Mutex<Vec<(usize, Arc<Kernel>)>> = Mutex::new(Vec::new());

/// The kernel for `factor`, read from the impulse responses of `resample` (a whole-buffer
/// resampler by that factor, giving `ceil(len / factor)` outputs) the first time.
fn kernel(factor: usize, resample: impl Fn(Vec<f32>) -> Result<Vec<f32>>) -> Result<Arc<Kernel>> {
    let kept = KERNELS.lock().ok().and_then(|kernels| {
        let (_, kernel) = kernels.iter().find(|(f, _)| *f == factor)?;
        Some(Arc::clone(kernel))
    });
    if let Some(kernel) = kept {
        return Ok(kernel);
    }
    let kernel = Arc::new(read_kernel(factor, resample)?);
    if let Ok(mut kernels) = KERNELS.lock() {
        kernels.push((factor, Arc::clone(&kernel)));
    }
    Ok(kernel)
}

/// Output `j` of a unit impulse at input `p` is the tap at offset `p - factor × j`: one impulse
/// per phase of the factor reads every tap once.
fn read_kernel(factor: usize, resample: impl Fn(Vec<f32>) -> Result<Vec<f32>>) -> Result<Kernel> {
    let len = 8 * super::resample::SINC_LEN * factor;
    let middle = len / 2 / factor * factor;
    let mut taps = BTreeMap::new();
    for phase in 0..factor {
        let at = middle + phase;
        let mut impulse = vec![0.0; len];
        impulse[at] = 1.0;
        for (j, &value) in resample(impulse)?.iter().enumerate() {
            if value != 0.0 {
                taps.insert(at as isize - (factor * j) as isize, value);
            }
        }
    }
    let (Some((&first, _)), Some((&last, _))) = (taps.first_key_value(), taps.last_key_value())
    else {
        return Err(Error::Resample(
            "the resampler's impulse response is empty".into(),
        ));
    };
    if first > 0 {
        return Err(Error::Resample(
            "the resampler's filter is not centred on its outputs".into(),
        ));
    }
    let span = (last - first + 1) as usize;
    let mut dense = vec![0.0; span.div_ceil(LANES) * LANES];
    for (offset, value) in taps {
        dense[(offset - first) as usize] = value;
    }
    Ok(Kernel { first, taps: dense })
}

/// A streaming decimator: push any number of samples, get the decimated ones, then `finish`.
pub(crate) struct Decimator {
    factor: usize,
    kernel: Arc<Kernel>,
    /// Input from that of the next output's first tap on (zeros before the stream).
    buffer: Vec<f32>,
    total_in: u64,
    total_out: u64,
}

impl Decimator {
    /// A decimator by `factor` with the filter of `resample` (see [`kernel`]).
    pub(crate) fn new(
        factor: usize,
        resample: impl Fn(Vec<f32>) -> Result<Vec<f32>>,
    ) -> Result<Self> {
        let kernel = kernel(factor, resample)?;
        let mut decimator = Self {
            factor,
            kernel,
            buffer: Vec::new(),
            total_in: 0,
            total_out: 0,
        };
        decimator.reset();
        Ok(decimator)
    }

    /// Back to the state of a new decimator.
    pub(crate) fn reset(&mut self) {
        self.buffer.clear();
        // Output 0's first tap reads input `first`: the zeros before the stream up to it.
        self.buffer.resize(self.kernel.first.unsigned_abs(), 0.0);
        self.total_in = 0;
        self.total_out = 0;
    }

    /// Feeds `input` and appends every output whose inputs have all arrived.
    pub(crate) fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        self.buffer.extend_from_slice(input);
        self.total_in += input.len() as u64;
        self.run(u64::MAX, out);
    }

    /// Flushes the tail (zeros after the stream) so that the output has `ceil(len / factor)`
    /// samples in all.
    pub(crate) fn finish(&mut self, out: &mut Vec<f32>) {
        let expected = self.total_in.div_ceil(self.factor as u64);
        self.buffer.resize(
            self.buffer.len() + self.kernel.taps.len() + self.factor,
            0.0,
        );
        self.run(expected, out);
    }

    /// Outputs while their inputs are in the buffer, up to `limit` in all: [`AT_ONCE`] at a time
    /// while they fit, so that their sums overlap in the processor instead of waiting on each
    /// other, then one at a time.
    fn run(&mut self, limit: u64, out: &mut Vec<f32>) {
        let (taps, step) = (&self.kernel.taps, self.factor);
        let mut at = 0;
        let fits = |at: usize, n: usize| at + (n - 1) * step + taps.len() <= self.buffer.len();
        while fits(at, AT_ONCE) && self.total_out + AT_ONCE as u64 <= limit {
            out.extend_from_slice(&dots::<AT_ONCE>(taps, &self.buffer[at..], step));
            at += AT_ONCE * step;
            self.total_out += AT_ONCE as u64;
        }
        while fits(at, 1) && self.total_out < limit {
            out.push(dots::<1>(taps, &self.buffer[at..], step)[0]);
            at += step;
            self.total_out += 1;
        }
        self.buffer.drain(..at.min(self.buffer.len()));
    }
}

/// Outputs computed together by [`Decimator::run`].
const AT_ONCE: usize = 4;

/// `N` outputs `step` inputs apart: output `n` is `taps · input[n × step..]`, over [`LANES`]
/// lanes summed as two vectors of four (lanes `i` and `i + 4` first), then `(0 + 2) + (1 + 3)`.
/// `taps.len()` is a multiple of [`LANES`]; `input` holds every sample read.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dots<const N: usize>(taps: &[f32], input: &[f32], step: usize) -> [f32; N] {
    let mut acc = [[0.0f32; LANES]; N];
    for (c, x) in taps.chunks_exact(LANES).enumerate() {
        for (n, acc) in acc.iter_mut().enumerate() {
            let y = &input[n * step + c * LANES..][..LANES];
            for i in 0..LANES {
                acc[i] += x[i] * y[i];
            }
        }
    }
    acc.map(|a| {
        let half = [a[0] + a[4], a[1] + a[5], a[2] + a[6], a[3] + a[7]];
        (half[0] + half[2]) + (half[1] + half[3])
    })
}

/// The same sums in the same order with WebAssembly SIMD.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dots<const N: usize>(taps: &[f32], input: &[f32], step: usize) -> [f32; N] {
    use core::arch::wasm32::{
        f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load,
    };
    let load = |s: &[f32]| {
        let s = &s[..4];
        // SAFETY: `s` holds four f32s, the 16 bytes read; v128_load needs no alignment.
        unsafe { v128_load(s.as_ptr().cast::<v128>()) }
    };
    let mut acc = [[f32x4_splat(0.0); 2]; N];
    for (c, x) in taps.chunks_exact(LANES).enumerate() {
        let (xl, xh) = (load(x), load(&x[4..]));
        for (n, acc) in acc.iter_mut().enumerate() {
            let y = &input[n * step + c * LANES..][..LANES];
            acc[0] = f32x4_add(acc[0], f32x4_mul(xl, load(y)));
            acc[1] = f32x4_add(acc[1], f32x4_mul(xh, load(&y[4..])));
        }
    }
    acc.map(|[lo, hi]| {
        let half = f32x4_add(lo, hi);
        (f32x4_extract_lane::<0>(half) + f32x4_extract_lane::<2>(half))
            + (f32x4_extract_lane::<1>(half) + f32x4_extract_lane::<3>(half))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up filter of 5 taps around the output's input, by factor 2.
    fn toy(input: Vec<f32>) -> Result<Vec<f32>> {
        let taps = [0.1f32, 0.2, 0.4, 0.2, 0.1];
        Ok((0..input.len().div_ceil(2))
            .map(|j| {
                (0..5)
                    .map(|k| {
                        let i = (2 * j + k) as isize - 2;
                        if (0..input.len() as isize).contains(&i) {
                            taps[k] * input[i as usize]
                        } else {
                            0.0
                        }
                    })
                    .sum()
            })
            .collect())
    }

    #[test]
    fn the_kernel_is_read_exactly_from_impulse_responses() {
        let k = read_kernel(2, toy).unwrap();
        assert_eq!(k.first, -2);
        assert_eq!(k.taps, [0.1, 0.2, 0.4, 0.2, 0.1, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn streaming_in_odd_pieces_gives_the_filters_outputs() {
        let input: Vec<f32> = (0..1001).map(|i| ((i * 37) % 11) as f32 - 5.0).collect();
        let expected = toy(input.clone()).unwrap();
        let mut d = Decimator {
            factor: 2,
            kernel: Arc::new(read_kernel(2, toy).unwrap()),
            buffer: Vec::new(),
            total_in: 0,
            total_out: 0,
        };
        for _ in 0..2 {
            d.reset();
            let mut out = Vec::new();
            for piece in input.chunks(97) {
                d.push(piece, &mut out);
            }
            d.finish(&mut out);
            assert_eq!(out.len(), expected.len());
            for (a, b) in out.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-5, "{a} against {b}");
            }
        }
    }

    #[test]
    fn dots_sum_every_lane_and_together_equal_one_at_a_time() {
        let taps: Vec<f32> = (0..16).map(|i| i as f32).collect();
        assert_eq!(dots::<1>(&taps, &[2.0; 20], 3), [240.0]);
        let input: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
        let together = dots::<4>(&taps, &input, 3);
        for (n, value) in together.into_iter().enumerate() {
            assert!(
                value == dots::<1>(&taps, &input[3 * n..], 3)[0],
                "output {n}"
            );
        }
    }
}

//! MFCCs: the orthonormal DCT-II of the log-mel spectrum, as `librosa.feature.mfcc(dct_type=2,
//! norm="ortho", lifter=0)` computes them (scipy's `dct(type=2, norm="ortho")` along the mel
//! axis, first `n_mfcc` coefficients kept), in `f32` as one matrix product.

use super::frame::{FRAME_BLOCK, load_block, store_block};
use super::matrix::Matrix;

/// A precomputed `n_mfcc × n_mels` orthonormal DCT-II basis (computed in `f64`, kept in `f32`),
/// with a row of zeros after an odd last row, so that rows always come in pairs.
#[derive(Debug, Clone)]
pub struct Dct {
    n_mfcc: usize,
    n_mels: usize,
    basis: Vec<f32>,
}

impl Dct {
    /// The first `n_mfcc` rows of the `n_mels`-point orthonormal DCT-II.
    pub fn new(n_mfcc: usize, n_mels: usize) -> Self {
        let n = n_mels as f64;
        let mut basis = Vec::with_capacity(n_mfcc * n_mels);
        for k in 0..n_mfcc {
            let scale = if k == 0 {
                (1.0 / n).sqrt()
            } else {
                (2.0 / n).sqrt()
            };
            for i in 0..n_mels {
                let angle = std::f64::consts::PI * k as f64 * (2 * i + 1) as f64 / (2.0 * n);
                basis.push((scale * angle.cos()) as f32);
            }
        }
        basis.resize(n_mfcc.next_multiple_of(2) * n_mels, 0.0);
        Self {
            n_mfcc,
            n_mels,
            basis,
        }
    }

    /// Applies the transform to every column (frame) of a log-mel matrix: the product
    /// `basis × log_mel`, [`FRAME_BLOCK`] frames and two coefficients at a time, their sums
    /// along the frames held in registers, so that each band's values are loaded once for two
    /// coefficients. Every value adds its terms in band order, as a row-by-row product does.
    #[inline(always)]
    pub fn apply(&self, log_mel: &Matrix) -> Matrix {
        assert_eq!(log_mel.rows, self.n_mels, "log-mel rows must equal n_mels");
        let frames = log_mel.cols;
        let mut out = Matrix::zeros(self.n_mfcc, frames);
        let mut tile = vec![0.0f32; self.n_mels * FRAME_BLOCK];
        let (tile, _) = tile.as_chunks_mut::<FRAME_BLOCK>();
        for first in (0..frames).step_by(FRAME_BLOCK) {
            let width = FRAME_BLOCK.min(frames - first);
            for (m, band) in tile.iter_mut().enumerate() {
                load_block(band, &log_mel.row(m)[first..first + width]);
            }
            for (pair, rows) in self.basis.chunks_exact(2 * self.n_mels).enumerate() {
                let (upper, lower) = rows.split_at(self.n_mels);
                let (mut xs, mut ys) = ([0.0f32; FRAME_BLOCK], [0.0f32; FRAME_BLOCK]);
                for ((&a, &b), band) in upper.iter().zip(lower).zip(&*tile) {
                    for ((x, y), &v) in xs.iter_mut().zip(&mut ys).zip(band) {
                        *x += a * v;
                        *y += b * v;
                    }
                }
                for (k, sums) in (2 * pair..self.n_mfcc).zip([&xs, &ys]) {
                    store_block(&mut out.data[k * frames + first..][..width], sums);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthonormal_basis() {
        let n = 16;
        let dct = Dct::new(n, n);
        for a in 0..n {
            for b in 0..n {
                let dot: f64 = (0..n)
                    .map(|i| f64::from(dct.basis[a * n + i]) * f64::from(dct.basis[b * n + i]))
                    .sum();
                let expected = if a == b { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn constant_column_has_only_a_dc_coefficient() {
        let log_mel = Matrix {
            rows: 4,
            cols: 1,
            data: vec![2.0; 4],
        };
        let out = Dct::new(3, 4).apply(&log_mel);
        assert_eq!((out.rows, out.data.len()), (3, 3));
        assert!((out.get(0, 0) - 4.0).abs() < 1e-6);
        assert!(out.get(1, 0).abs() < 1e-6 && out.get(2, 0).abs() < 1e-6);
    }

    #[test]
    fn tiles_give_each_frames_sums_bit_for_bit() {
        let (n_mels, frames) = (64, 2 * FRAME_BLOCK + 5);
        let data = (0..n_mels * frames)
            .map(|i| ((i * 7919) % 1009) as f32 / 13.0 - 40.0)
            .collect();
        let log_mel = Matrix {
            rows: n_mels,
            cols: frames,
            data,
        };
        for n_mfcc in [19, 20] {
            let dct = Dct::new(n_mfcc, n_mels);
            let out = dct.apply(&log_mel);
            assert_eq!(out.rows, n_mfcc);
            for k in 0..n_mfcc {
                for t in 0..frames {
                    let mut sum = 0.0f32;
                    for m in 0..n_mels {
                        sum += dct.basis[k * n_mels + m] * log_mel.get(m, t);
                    }
                    assert_eq!(out.get(k, t).to_bits(), sum.to_bits(), "{k}, {t}");
                }
            }
        }
    }
}

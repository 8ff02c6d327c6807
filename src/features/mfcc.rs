//! MFCCs: the orthonormal DCT-II of the log-mel spectrum, as `librosa.feature.mfcc(dct_type=2,
//! norm="ortho", lifter=0)` computes them (scipy's `dct(type=2, norm="ortho")` along the mel
//! axis, first `n_mfcc` coefficients kept), in `f32` as one matrix product.

use super::matrix::Matrix;

/// A precomputed `n_mfcc × n_mels` orthonormal DCT-II basis (computed in `f64`, kept in `f32`).
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
        Self {
            n_mfcc,
            n_mels,
            basis,
        }
    }

    /// Applies the transform to every column (frame) of a log-mel matrix: the product
    /// `basis × log_mel`, accumulated row by row so that the inner loop runs along the frames.
    pub fn apply(&self, log_mel: &Matrix) -> Matrix {
        assert_eq!(log_mel.rows, self.n_mels, "log-mel rows must equal n_mels");
        let frames = log_mel.cols;
        let mut out = Matrix::zeros(self.n_mfcc, frames);
        for (k, out_row) in out.data.chunks_exact_mut(frames.max(1)).enumerate() {
            let basis_row = &self.basis[k * self.n_mels..(k + 1) * self.n_mels];
            for (m, &b) in basis_row.iter().enumerate() {
                for (o, &x) in out_row.iter_mut().zip(log_mel.row(m)) {
                    *o += b * x;
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
        assert!((out.get(0, 0) - 4.0).abs() < 1e-6);
        assert!(out.get(1, 0).abs() < 1e-6 && out.get(2, 0).abs() < 1e-6);
    }
}

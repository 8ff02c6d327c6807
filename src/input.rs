//! From a model window of samples to the model's input: one row per feature channel (ZCR, RMS,
//! then the MFCCs), one column per frame, standardised with the training set's statistics.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::features::{FeatureExtractor, Matrix};

/// Number of input channels for `n_mfcc` coefficients: ZCR, RMS and the MFCCs.
pub fn channel_count(n_mfcc: usize) -> usize {
    2 + n_mfcc
}

/// The unnormalised input matrix of one window: `[zcr; rms; mfcc]`, channels × frames.
pub fn window_features(extractor: &FeatureExtractor, samples: &[f32]) -> Result<Matrix> {
    let features = extractor.extract(samples)?;
    let frames = features.n_frames();
    let mut data = Vec::with_capacity((2 + features.mfcc.rows) * frames);
    data.extend_from_slice(&features.zcr);
    data.extend_from_slice(&features.rms);
    data.extend_from_slice(&features.mfcc.data);
    Ok(Matrix {
        rows: 2 + features.mfcc.rows,
        cols: frames,
        data,
    })
}

/// Per-channel mean and standard deviation over every training frame, optionally after removing
/// each window's own mean from the channels from `centre_from` on (cepstral mean normalisation:
/// it takes away the steady spectral envelope that says more about the speaker and microphone
/// than about the emotion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalization {
    /// Mean of each channel.
    pub mean: Vec<f32>,
    /// Standard deviation of each channel (never zero).
    pub std: Vec<f32>,
    /// First channel whose per-window mean is removed (`None`: no per-window centring).
    #[serde(default)]
    pub centre_from: Option<usize>,
}

impl Normalization {
    /// Statistics of a set of input matrices (all with the same channel count).
    pub fn fit<'a>(
        inputs: impl IntoIterator<Item = &'a Matrix>,
        centre_from: Option<usize>,
    ) -> Self {
        let mut sum: Vec<f64> = Vec::new();
        let mut sum_sq: Vec<f64> = Vec::new();
        let mut count = 0usize;
        for m in inputs {
            let centred;
            let m = if centre_from.is_some() {
                let mut copy = m.clone();
                centre(&mut copy, centre_from);
                centred = copy;
                &centred
            } else {
                m
            };
            if sum.is_empty() {
                sum = vec![0.0; m.rows];
                sum_sq = vec![0.0; m.rows];
            }
            for r in 0..m.rows {
                for &v in m.row(r) {
                    sum[r] += f64::from(v);
                    sum_sq[r] += f64::from(v) * f64::from(v);
                }
            }
            count += m.cols;
        }
        let n = count.max(1) as f64;
        let mean: Vec<f32> = sum.iter().map(|s| (s / n) as f32).collect();
        let std = sum_sq
            .iter()
            .zip(&sum)
            .map(|(sq, s)| {
                let variance = (sq / n - (s / n) * (s / n)).max(0.0);
                (variance.sqrt() as f32).max(1e-6)
            })
            .collect();
        Self {
            mean,
            std,
            centre_from,
        }
    }

    /// Standardises a matrix in place: per-window centring where configured, then
    /// `(x - mean) / std` per channel.
    pub fn apply(&self, m: &mut Matrix) {
        centre(m, self.centre_from);
        let cols = m.cols;
        for (r, row) in m.data.chunks_mut(cols).enumerate() {
            let (mean, std) = (self.mean[r], self.std[r]);
            for v in row {
                *v = (*v - mean) / std;
            }
        }
    }
}

/// Removes each row's mean from the rows from `first` on.
fn centre(m: &mut Matrix, first: Option<usize>) {
    let Some(first) = first else { return };
    let cols = m.cols;
    for row in m.data.chunks_mut(cols).skip(first) {
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / cols.max(1) as f64;
        for v in row {
            *v -= mean as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureConfig;

    #[test]
    fn channels_are_zcr_rms_then_mfcc() {
        let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
        let samples: Vec<f32> = (0..32_000).map(|i| 0.1 * (i as f32 * 0.05).sin()).collect();
        let m = window_features(&extractor, &samples).unwrap();
        let f = extractor.extract(&samples).unwrap();
        assert_eq!(m.rows, channel_count(20));
        assert_eq!(m.row(0), f.zcr.as_slice());
        assert_eq!(m.row(1), f.rms.as_slice());
        assert_eq!(m.row(5), f.mfcc.row(3));
    }

    #[test]
    fn normalised_training_data_has_zero_mean_unit_std() {
        let a = Matrix {
            rows: 2,
            cols: 3,
            data: vec![1.0, 2.0, 3.0, 10.0, 10.0, 10.0],
        };
        let norm = Normalization::fit([&a], None);
        let mut b = a.clone();
        norm.apply(&mut b);
        let mean: f32 = b.row(0).iter().sum::<f32>() / 3.0;
        assert!(mean.abs() < 1e-6);
        assert!(
            b.row(1).iter().all(|&v| v == 0.0),
            "constant channel stays finite"
        );
    }
}

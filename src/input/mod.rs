//! From a model window of samples to the model's input: one row per feature channel (ZCR, RMS,
//! then the MFCCs or the log-mel bands), one column per frame, standardised with the training
//! set's statistics.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::features::pitch::prosody_rows;
use crate::features::{FeatureConfig, FeatureExtractor, Matrix};

/// The spectral rows of the model's input, after ZCR and RMS. Travels in the model's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// `n_mfcc` MFCCs: the seed's features.
    #[default]
    Mfcc,
    /// `n_mels` log-mel bands in dB: the finer spectrum the MFCCs are a smoothing of.
    LogMel,
    /// Three prosody rows (periodicity, relative F0, the window's F0 register: see
    /// [`prosody_rows`]) before the `n_mels` log-mel bands.
    LogMelPitch,
    /// The prosody rows, then four rows of the window's coarse spectral tilt (see
    /// [`tilt_rows`]), then the `n_mels` log-mel bands.
    LogMelPitchTilt,
}

impl InputKind {
    /// Number of input channels: ZCR, RMS, the prosody rows and the spectral rows.
    pub fn channels(self, config: &FeatureConfig) -> usize {
        self.spectral_from()
            + match self {
                Self::Mfcc => config.n_mfcc,
                Self::LogMel | Self::LogMelPitch | Self::LogMelPitchTilt => config.n_mels,
            }
    }

    /// The first spectral row: what is centred per window and what band moves shift.
    pub fn spectral_from(self) -> usize {
        match self {
            Self::Mfcc | Self::LogMel => 2,
            Self::LogMelPitch => 5,
            Self::LogMelPitchTilt => 5 + TILT_GROUPS,
        }
    }

    /// Whether the spectral rows are log-mel bands (which band moves may shift).
    pub fn has_bands(self) -> bool {
        self != Self::Mfcc
    }
}

/// The unnormalised input matrix of one window: `[zcr; rms; prosody rows; spectral rows]`,
/// channels × frames.
pub fn window_features(
    extractor: &FeatureExtractor,
    samples: &[f32],
    kind: InputKind,
) -> Result<Matrix> {
    let pitched = matches!(kind, InputKind::LogMelPitch | InputKind::LogMelPitchTilt);
    let (features, prosody) = if pitched {
        let (features, pitch) = extractor.frame_features_and_pitch(samples)?;
        (features, prosody_rows(&pitch).to_vec())
    } else {
        (extractor.frame_features(samples)?, Vec::new())
    };
    let tilt = if kind == InputKind::LogMelPitchTilt {
        tilt_rows(&features.log_mel).to_vec()
    } else {
        Vec::new()
    };
    let spectral = match kind {
        InputKind::Mfcc => extractor.mfcc_of(&features.log_mel),
        InputKind::LogMel | InputKind::LogMelPitch | InputKind::LogMelPitchTilt => features.log_mel,
    };
    let frames = spectral.cols;
    let rows = kind.spectral_from() + spectral.rows;
    let mut data = Vec::with_capacity(rows * frames);
    data.extend_from_slice(&features.zcr);
    data.extend_from_slice(&features.rms);
    for row in prosody.iter().chain(&tilt) {
        data.extend_from_slice(row);
    }
    data.extend_from_slice(&spectral.data);
    Ok(Matrix {
        rows,
        cols: frames,
        data,
    })
}

/// How many groups of adjacent bands [`tilt_rows`] summarises the window's spectrum in.
pub const TILT_GROUPS: usize = 4;

/// The window's coarse spectral envelope, which per-window centring takes from the bands: the
/// mean dB of each of [`TILT_GROUPS`] runs of adjacent bands (with 64 bands to 8 kHz, about
/// 0-0.75, 0.75-1.7, 1.7-3.7 and 3.7-8 kHz) less the mean over all bands, each a constant row.
/// Vocal effort flattens the spectrum (eGeMAPS's alpha ratio and Hammarberg index measure the
/// same), a cue that centring removes along with the microphone's envelope.
pub fn tilt_rows(log_mel: &Matrix) -> [Vec<f32>; TILT_GROUPS] {
    let band_mean = |b: usize| {
        let row = log_mel.row(b);
        row.iter().map(|&v| f64::from(v)).sum::<f64>() / row.len().max(1) as f64
    };
    let means: Vec<f64> = (0..log_mel.rows).map(band_mean).collect();
    let overall = means.iter().sum::<f64>() / means.len().max(1) as f64;
    let size = log_mel.rows.div_ceil(TILT_GROUPS).max(1);
    std::array::from_fn(|g| {
        let group = means
            .get(g * size..((g + 1) * size).min(means.len()))
            .unwrap_or(&[]);
        let level = if group.is_empty() {
            0.0
        } else {
            group.iter().sum::<f64>() / group.len() as f64 - overall
        };
        vec![level as f32; log_mel.cols]
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
    /// Whether the centred channels are also divided by their per-window standard deviation
    /// (floored at 1): the window's spectral dynamics without the recording's contrast.
    #[serde(default)]
    pub scale: bool,
    /// Whether the ZCR and RMS rows are held at 0 after standardisation, so that the network
    /// never sees them: the ZCR follows the recording's brightness (a microphone's or a room's
    /// spectral tilt), which the per-window centring takes from the bands. The rows stay, so the
    /// network's shape is the same either way.
    #[serde(default)]
    pub drop_frame_rows: bool,
}

impl Normalization {
    /// Statistics of a set of input matrices (all with the same channel count).
    pub fn fit<'a>(
        inputs: impl IntoIterator<Item = &'a Matrix>,
        centre_from: Option<usize>,
    ) -> Self {
        Self::fit_scaled(inputs, centre_from, false)
    }

    /// [`fit`](Self::fit), with the centred channels also scaled per window when `scale`.
    pub fn fit_scaled<'a>(
        inputs: impl IntoIterator<Item = &'a Matrix>,
        centre_from: Option<usize>,
        scale: bool,
    ) -> Self {
        let mut fit = NormalizationFit::new(centre_from, scale);
        for m in inputs {
            fit.add(m);
        }
        fit.finish()
    }

    /// Standardises a matrix in place: per-window centring where configured, then
    /// `(x - mean) / std` per channel.
    pub fn apply(&self, m: &mut Matrix) {
        centre(m, self.centre_from, self.scale);
        let cols = m.cols;
        for (r, row) in m.data.chunks_mut(cols).enumerate() {
            let (mean, std) = (self.mean[r], self.std[r]);
            for v in row {
                *v = if self.drop_frame_rows && r < FRAME_ROWS {
                    0.0
                } else {
                    (*v - mean) / std
                };
            }
        }
    }

    /// The same statistics, with the ZCR and RMS rows dropped or kept as `drop` says.
    pub fn dropping_frame_rows(self, drop: bool) -> Self {
        Self {
            drop_frame_rows: drop,
            ..self
        }
    }
}

/// The rows every input starts with: ZCR, then RMS.
pub const FRAME_ROWS: usize = 2;

/// A [`Normalization`] measured one window at a time: per-channel sums over every frame, so a
/// set of any size (a corpus, a folder of recordings) is measured without holding its windows.
#[derive(Debug, Clone)]
pub struct NormalizationFit {
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    frames: usize,
    windows: usize,
    centre_from: Option<usize>,
    scale: bool,
    drop_frame_rows: bool,
}

impl NormalizationFit {
    /// An empty measurement whose windows are centred (and scaled) as `centre_from` and
    /// `scale` say, before they are counted.
    pub fn new(centre_from: Option<usize>, scale: bool) -> Self {
        Self {
            sum: Vec::new(),
            sum_sq: Vec::new(),
            frames: 0,
            windows: 0,
            centre_from,
            scale,
            drop_frame_rows: false,
        }
    }

    /// An empty measurement whose windows are treated as `trained` treats them: centred,
    /// scaled and with the ZCR and RMS rows dropped as it says.
    pub fn like(trained: &Normalization) -> Self {
        Self {
            drop_frame_rows: trained.drop_frame_rows,
            ..Self::new(trained.centre_from, trained.scale)
        }
    }

    /// Adds one window (every window must have the same channel count).
    pub fn add(&mut self, m: &Matrix) {
        let centred;
        let m = if self.centre_from.is_some() {
            let mut copy = m.clone();
            centre(&mut copy, self.centre_from, self.scale);
            centred = copy;
            &centred
        } else {
            m
        };
        if self.sum.is_empty() {
            self.sum = vec![0.0; m.rows];
            self.sum_sq = vec![0.0; m.rows];
        }
        for r in 0..m.rows {
            for &v in m.row(r) {
                self.sum[r] += f64::from(v);
                self.sum_sq[r] += f64::from(v) * f64::from(v);
            }
        }
        self.frames += m.cols;
        self.windows += 1;
    }

    /// Windows added so far.
    pub fn windows(&self) -> usize {
        self.windows
    }

    /// The mean and deviation of every channel over the frames added (deviations floored
    /// at 1e-6, so that dividing by them stays finite).
    pub fn finish(&self) -> Normalization {
        let n = self.frames.max(1) as f64;
        let mean = self.sum.iter().map(|s| (s / n) as f32).collect();
        let std = self
            .sum_sq
            .iter()
            .zip(&self.sum)
            .map(|(sq, s)| {
                let variance = (sq / n - (s / n) * (s / n)).max(0.0);
                (variance.sqrt() as f32).max(1e-6)
            })
            .collect();
        Normalization {
            mean,
            std,
            centre_from: self.centre_from,
            scale: self.scale,
            drop_frame_rows: self.drop_frame_rows,
        }
    }
}

/// Removes each row's mean from the rows from `first` on, and divides them by their standard
/// deviation (at least 1) when `scale`.
fn centre(m: &mut Matrix, first: Option<usize>, scale: bool) {
    let Some(first) = first else { return };
    let cols = m.cols;
    for row in m.data.chunks_mut(cols).skip(first) {
        let n = cols.max(1) as f64;
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let divisor = if scale {
            let variance = row
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / n;
            variance.sqrt().max(1.0)
        } else {
            1.0
        };
        for v in row {
            *v = ((f64::from(*v) - mean) / divisor) as f32;
        }
    }
}

#[cfg(test)]
mod tests;

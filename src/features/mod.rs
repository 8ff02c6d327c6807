//! Feature extraction faithful to librosa: zero-crossing rate, RMS energy, mel power spectrogram
//! and MFCC, all driven by one [`FeatureConfig`]. The spectral features are composed from one
//! STFT pass, as in librosa's `feature/spectral.py`.

pub mod config;
pub mod db;
pub mod frame;
pub mod matrix;
pub mod mel;
pub mod mfcc;
pub mod rms;
pub mod stft;
pub mod zcr;

pub use config::FeatureConfig;
pub use matrix::Matrix;

use crate::error::{Error, Result};
use mel::MelFilterbank;
use mfcc::Dct;
use stft::Stft;

/// The seed's features for one signal, each with one value per frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Zero-crossing rate per frame.
    pub zcr: Vec<f32>,
    /// RMS energy per frame.
    pub rms: Vec<f32>,
    /// MFCCs, `n_mfcc × frames` (librosa's orientation).
    pub mfcc: Matrix,
}

impl Features {
    /// Number of frames.
    pub fn n_frames(&self) -> usize {
        self.zcr.len()
    }
}

/// A reusable extractor: the FFT plan, window, filterbank and DCT are built once.
pub struct FeatureExtractor {
    config: FeatureConfig,
    stft: Stft,
    mel: MelFilterbank,
    dct: Dct,
}

impl FeatureExtractor {
    /// Validates the configuration and prepares every transform.
    pub fn new(config: FeatureConfig) -> Result<Self> {
        config.validate()?;
        let stft = Stft::new(config.n_fft, config.hop_length);
        let mel = MelFilterbank::new(
            config.sr,
            config.n_fft,
            config.n_mels,
            config.fmin,
            config.fmax,
        );
        let dct = Dct::new(config.n_mfcc, config.n_mels);
        Ok(Self {
            config,
            stft,
            mel,
            dct,
        })
    }

    /// The configuration this extractor was built from.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// The mel power spectrogram, `n_mels × frames` (`librosa.feature.melspectrogram`).
    pub fn mel_power(&self, samples: &[f32]) -> Result<Matrix> {
        check_samples(samples)?;
        let frames = self.config.n_frames(samples.len());
        let n_mels = self.mel.n_mels();
        let mut out = Matrix::zeros(n_mels, frames);
        let mut bands = vec![0.0f32; n_mels];
        self.stft.power_frames(samples, |t, power| {
            self.mel.apply(power, &mut bands);
            for (m, &value) in bands.iter().enumerate() {
                out.set(m, t, value);
            }
        });
        Ok(out)
    }

    /// The log-mel spectrogram in dB (`power_to_db(ref=1.0, amin=1e-10, top_db=80)`).
    pub fn log_mel(&self, samples: &[f32]) -> Result<Matrix> {
        let mut mel = self.mel_power(samples)?;
        db::power_to_db_in_place(&mut mel.data);
        Ok(mel)
    }

    /// MFCCs, `n_mfcc × frames` (`librosa.feature.mfcc`).
    pub fn mfcc(&self, samples: &[f32]) -> Result<Matrix> {
        Ok(self.dct.apply(&self.log_mel(samples)?))
    }

    /// Zero-crossing rate per frame, with `frame_length = n_fft`.
    pub fn zcr(&self, samples: &[f32]) -> Result<Vec<f32>> {
        check_samples(samples)?;
        Ok(zcr::zero_crossing_rate(
            samples,
            self.config.n_fft,
            self.config.hop_length,
        ))
    }

    /// RMS energy per frame, with `frame_length = n_fft`.
    pub fn rms(&self, samples: &[f32]) -> Result<Vec<f32>> {
        check_samples(samples)?;
        Ok(rms::rms(samples, self.config.n_fft, self.config.hop_length))
    }

    /// ZCR, RMS and MFCC of one signal at the configured rate.
    pub fn extract(&self, samples: &[f32]) -> Result<Features> {
        Ok(Features {
            zcr: self.zcr(samples)?,
            rms: self.rms(samples)?,
            mfcc: self.mfcc(samples)?,
        })
    }
}

/// Largest sample magnitude accepted: 120 dB above full scale still leaves every power spectrum
/// far from `f32` overflow, and lets through float files written unnormalised (±32768).
pub const MAX_SAMPLE: f32 = 1e6;

/// Refuses empty input, NaN or infinite samples, and samples beyond [`MAX_SAMPLE`]: each would
/// poison every frame (a NaN probability at the end).
pub fn check_samples(samples: &[f32]) -> Result<()> {
    if samples.is_empty() {
        return Err(Error::TooShort {
            samples: 0,
            needed: 1,
        });
    }
    let bad = samples.iter().filter(|x| !x.is_finite()).count();
    if bad > 0 {
        return Err(Error::NonFinite(bad));
    }
    let peak = samples.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if peak > MAX_SAMPLE {
        return Err(Error::OutOfRange {
            peak,
            limit: MAX_SAMPLE,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_features_have_librosas_frame_count() {
        let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
        for n in [1, 255, 256, 257, 16_000] {
            let samples = vec![0.1f32; n];
            let f = extractor.extract(&samples).unwrap();
            let frames = 1 + n / 256;
            assert_eq!(f.zcr.len(), frames);
            assert_eq!(f.rms.len(), frames);
            assert_eq!(f.mfcc.cols, frames);
            assert_eq!(f.mfcc.rows, 20);
        }
    }

    #[test]
    fn empty_and_non_finite_input_are_errors() {
        let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
        assert!(matches!(
            extractor.extract(&[]),
            Err(Error::TooShort { .. })
        ));
        assert_eq!(
            extractor.extract(&[0.0, f32::NAN, f32::INFINITY]),
            Err(Error::NonFinite(2))
        );
        assert!(matches!(
            extractor.extract(&[0.0, -3e38, 1.0]),
            Err(Error::OutOfRange { peak, .. }) if peak == 3e38
        ));
        let unnormalised: Vec<f32> = (0..4_000)
            .map(|i| 32_767.0 * (i as f32 * 0.3).sin())
            .collect();
        let mfcc = extractor.mfcc(&unnormalised).unwrap();
        assert!(mfcc.data.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn invalid_config_is_refused() {
        let config = FeatureConfig {
            fmax: 9_000.0,
            ..FeatureConfig::default()
        };
        assert!(matches!(
            FeatureExtractor::new(config),
            Err(Error::Config(_))
        ));
    }
}

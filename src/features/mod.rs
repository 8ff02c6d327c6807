//! Feature extraction faithful to librosa: zero-crossing rate, RMS energy, mel power spectrogram
//! and MFCC, all driven by one [`FeatureConfig`]. Every feature is read in one pass over the
//! centre-padded signal's frames ([`pass`]), and the spectral ones are composed from its one
//! STFT, as in librosa's `feature/spectral.py`.

pub mod config;
pub mod db;
pub mod frame;
pub mod matrix;
pub mod mel;
pub mod mfcc;
mod pass;
pub mod pitch;
pub mod rms;
#[cfg(not(target_arch = "wasm32"))]
pub mod split;
pub mod stft;
pub mod vector;
pub mod zcr;

pub use config::FeatureConfig;
pub use matrix::Matrix;

use crate::error::{Error, Result};
use frame::{Padding, pad_center};
use mel::MelFilterbank;
use mfcc::Dct;
use pass::Powers;
use pitch::{Pitch, Yin};
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

/// ZCR, RMS and the log-mel spectrogram of one signal, all read in one pass over its frames:
/// what the MFCCs and the model's input are made of.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameFeatures {
    /// Zero-crossing rate per frame.
    pub zcr: Vec<f32>,
    /// RMS energy per frame.
    pub rms: Vec<f32>,
    /// Log-mel power in dB, `n_mels × frames`.
    pub log_mel: Matrix,
}

/// A reusable extractor: the FFT plan, window, filterbank and DCT are built once.
pub struct FeatureExtractor {
    config: FeatureConfig,
    stft: Stft,
    mel: MelFilterbank,
    dct: Dct,
    yin: Yin,
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
        let yin = Yin::new(config.sr, config.n_fft, config.hop_length);
        Ok(Self {
            config,
            stft,
            mel,
            dct,
            yin,
        })
    }

    /// The configuration this extractor was built from.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// ZCR, RMS and log-mel of one signal: one pass over its frames reads every feature, and
    /// checks each sample while it is in the cache.
    pub fn frame_features(&self, samples: &[f32]) -> Result<FrameFeatures> {
        vector::widest(
            #[inline(always)]
            || self.checked_frame_features(samples, |_| {}),
        )
    }

    /// [`Self::frame_features`] and the [`Pitch`] of the same frames, in the same pass.
    pub fn frame_features_and_pitch(&self, samples: &[f32]) -> Result<(FrameFeatures, Pitch)> {
        vector::widest(
            #[inline(always)]
            || {
                let (mut pitch, mut buffers) = (Pitch::default(), self.yin.buffers());
                let features = self.checked_frame_features(samples, |stretch| {
                    self.yin.extend_pitch(&mut pitch, stretch, &mut buffers)
                })?;
                Ok((features, pitch))
            },
        )
    }

    /// [`Self::checked_powers`], then the mel power in decibels.
    #[inline(always)]
    fn checked_frame_features(
        &self,
        samples: &[f32],
        stretch_of: impl FnMut(&[f32]),
    ) -> Result<FrameFeatures> {
        let Powers { mut mel, zcr, rms } = self.checked_powers(samples, stretch_of)?;
        db::power_to_db_in_place(&mut mel.data);
        Ok(FrameFeatures {
            zcr,
            rms,
            log_mel: mel,
        })
    }

    /// The [`Powers`] of every frame, the samples checked ([`check_samples`]) as the pass first
    /// reads them; `stretch_of` as in [`Self::frame_pass`].
    #[inline(always)]
    fn checked_powers(&self, samples: &[f32], stretch_of: impl FnMut(&[f32])) -> Result<Powers> {
        let mut counts = [0; 2];
        let frames = 0..self.config.n_frames(samples.len());
        let fresh = |run: &[f32]| {
            let [non_finite, beyond] = count_beyond(run, LIMITS);
            counts[0] += non_finite;
            counts[1] += beyond;
        };
        let powers = self.frame_pass(samples, frames, fresh, stretch_of);
        judge(samples, counts)?;
        Ok(powers)
    }

    /// ZCR, RMS and MFCC of one signal at the configured rate.
    pub fn extract(&self, samples: &[f32]) -> Result<Features> {
        let FrameFeatures { zcr, rms, log_mel } = self.frame_features(samples)?;
        Ok(Features {
            zcr,
            rms,
            mfcc: self.mfcc_of(&log_mel),
        })
    }

    /// The MFCCs of a log-mel spectrogram (the DCT step of [`Self::extract`]).
    pub fn mfcc_of(&self, log_mel: &Matrix) -> Matrix {
        vector::widest(
            #[inline(always)]
            || self.dct.apply(log_mel),
        )
    }

    /// The mel power spectrogram, `n_mels × frames` (`librosa.feature.melspectrogram`).
    pub fn mel_power(&self, samples: &[f32]) -> Result<Matrix> {
        vector::widest(
            #[inline(always)]
            || Ok(self.checked_powers(samples, |_| {})?.mel),
        )
    }

    /// The log-mel spectrogram in dB (`power_to_db(ref=1.0, amin=1e-10, top_db=80)`).
    pub fn log_mel(&self, samples: &[f32]) -> Result<Matrix> {
        Ok(self.frame_features(samples)?.log_mel)
    }

    /// MFCCs, `n_mfcc × frames` (`librosa.feature.mfcc`).
    pub fn mfcc(&self, samples: &[f32]) -> Result<Matrix> {
        Ok(self.extract(samples)?.mfcc)
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

    /// The FFTs of this extractor's frames of `samples` and nothing else: the floor for the
    /// feature benchmark. Returns a value derived from every spectrum so none is optimised away.
    pub fn fft_floor(&self, samples: &[f32]) -> f32 {
        let padded = pad_center(samples, self.config.n_fft, Padding::Zeros);
        self.stft.fft_floor(&padded).norm_sqr()
    }

    /// The half-length complex FFTs this extractor's STFT runs on the same frames, and nothing
    /// else: the floor of the transform as it is computed here (see [`stft`]).
    pub fn half_fft_floor(&self, samples: &[f32]) -> f32 {
        let padded = pad_center(samples, self.config.n_fft, Padding::Zeros);
        self.stft.half_fft_floor(&padded).norm_sqr()
    }
}

/// Largest sample magnitude accepted: 120 dB above full scale still leaves every power spectrum
/// far from `f32` overflow, and lets through float files written unnormalised (±32768).
pub const MAX_SAMPLE: f32 = 1e6;

/// Refuses empty input, NaN or infinite samples, and samples beyond [`MAX_SAMPLE`]: each would
/// poison every frame (a NaN probability at the end). Never inlined: it runs once per signal,
/// and each inlined copy of its vectorised loop added to the page's download.
#[inline(never)]
pub fn check_samples(samples: &[f32]) -> Result<()> {
    judge(samples, count_beyond(samples, LIMITS))
}

/// The verdict of [`check_samples`] on the counts [`count_beyond`] gave for [`LIMITS`].
#[inline(never)]
fn judge(samples: &[f32], [non_finite, beyond]: [usize; 2]) -> Result<()> {
    if samples.is_empty() {
        return Err(Error::TooShort {
            samples: 0,
            needed: 1,
        });
    }
    if non_finite > 0 {
        return Err(Error::NonFinite(non_finite));
    }
    if beyond > 0 {
        let peak = samples.iter().map(|x| x.abs()).fold(0.0, f32::max);
        return Err(Error::OutOfRange {
            peak,
            limit: MAX_SAMPLE,
        });
    }
    Ok(())
}

/// Bit pattern of the smallest non-finite magnitude: infinity, NaNs above it.
const NON_FINITE: u32 = 0x7f80_0000;

/// What [`count_beyond`] counts for [`check_samples`]: non-finite samples, and samples beyond
/// [`MAX_SAMPLE`].
const LIMITS: [u32; 2] = [NON_FINITE, MAX_SAMPLE.to_bits() + 1];

/// How many samples' magnitudes reach each of two bit patterns. Non-negative floats sort as
/// their bit patterns do, and every magnitude's pattern fits a signed 32-bit integer, so this
/// is two integer comparisons a sample, which vectorise with the baseline instruction set
/// (SSE2, wasm's simd128) where a float maximum with NaN semantics does not. The counts run in
/// 32-bit lanes, emptied every [`SCAN_RUN`] samples so that they cannot overflow.
fn count_beyond(samples: &[f32], limits: [u32; 2]) -> [usize; 2] {
    let [first, second] = limits.map(|l| l as i32);
    let mut totals = [0usize; 2];
    for run in samples.chunks(SCAN_RUN) {
        let (mut a, mut b) = (0u32, 0u32);
        for x in run {
            let bits = (x.to_bits() & 0x7fff_ffff) as i32;
            a += u32::from(bits >= first);
            b += u32::from(bits >= second);
        }
        totals[0] += a as usize;
        totals[1] += b as usize;
    }
    totals
}

/// Samples counted between two emptyings of the 32-bit counts of [`count_beyond`].
const SCAN_RUN: usize = 1 << 24;

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
        let mut wide = vec![0.5f32; 21];
        wide[19] = -2.0;
        wide[3] = f32::NEG_INFINITY;
        wide[20] = f32::NAN;
        assert_eq!(count_beyond(&wide, [NON_FINITE, 1.5f32.to_bits()]), [2, 3]);
        assert!(matches!(
            check_samples(&[0.0, 2e6, -3e6]),
            Err(Error::OutOfRange { peak, .. }) if peak == 3e6
        ));
        let unnormalised: Vec<f32> = (0..4_000)
            .map(|i| 32_767.0 * (i as f32 * 0.3).sin())
            .collect();
        let mfcc = extractor.mfcc(&unnormalised).unwrap();
        assert!(mfcc.data.iter().all(|v| v.is_finite()));
    }

    /// The features through [`vector::widest`] (AVX2 on this machine when it has it) and through
    /// the baseline loops, on real speech: the same values bit for bit.
    #[test]
    fn the_widest_loops_give_the_baseline_values_bit_for_bit() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/ravdess/Actor_03/03-01-05-02-01-01-03.flac");
        let audio = crate::audio::decode_file(&path, crate::audio::DecodeOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let widest = extractor.extract(&audio.samples).unwrap();
        let baseline = extractor
            .checked_frame_features(&audio.samples, |_| {})
            .unwrap();
        assert!(widest.n_frames() > 100);
        assert_eq!(bits(&widest.zcr), bits(&baseline.zcr));
        assert_eq!(bits(&widest.rms), bits(&baseline.rms));
        let mfcc = extractor.dct.apply(&baseline.log_mel);
        assert_eq!(bits(&widest.mfcc.data), bits(&mfcc.data));
        let mel = extractor.mel_power(&audio.samples).unwrap();
        let baseline_mel = extractor
            .checked_powers(&audio.samples, |_| {})
            .unwrap()
            .mel;
        assert_eq!(bits(&mel.data), bits(&baseline_mel.data));
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

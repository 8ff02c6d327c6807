//! Feature extraction faithful to librosa: zero-crossing rate, RMS energy, mel power spectrogram
//! and MFCC, all driven by one [`FeatureConfig`]. Every feature is read from one centre-padded
//! buffer, and the spectral ones are composed from one STFT pass, as in librosa's
//! `feature/spectral.py`.

pub mod config;
pub mod db;
pub mod frame;
pub mod matrix;
pub mod mel;
pub mod mfcc;
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

/// ZCR, RMS and the log-mel spectrogram of one signal, all read from one centre-padded buffer:
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

    /// ZCR, RMS and log-mel of one signal: the samples are checked once, padded once, and every
    /// feature is read from that one buffer in one STFT pass.
    pub fn frame_features(&self, samples: &[f32]) -> Result<FrameFeatures> {
        vector::widest(
            #[inline(always)]
            || Ok(self.frame_features_of_padded(&self.checked_padded(samples)?)),
        )
    }

    /// [`Self::frame_features`] and the [`Pitch`] of the same frames, from one padded buffer.
    pub fn frame_features_and_pitch(&self, samples: &[f32]) -> Result<(FrameFeatures, Pitch)> {
        vector::widest(
            #[inline(always)]
            || {
                let padded = self.checked_padded(samples)?;
                Ok((
                    self.frame_features_of_padded(&padded),
                    self.yin.pitch(&padded),
                ))
            },
        )
    }

    #[inline(always)]
    fn frame_features_of_padded(&self, padded: &[f32]) -> FrameFeatures {
        let (n_fft, hop) = (self.config.n_fft, self.config.hop_length);
        let mut log_mel = self.mel_power_of_padded(padded);
        db::power_to_db_in_place(&mut log_mel.data);
        FrameFeatures {
            zcr: zcr::from_padded(padded, n_fft / 2..padded.len() - n_fft / 2, n_fft, hop),
            rms: rms::from_padded(padded, n_fft, hop),
            log_mel,
        }
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
            || Ok(self.mel_power_of_padded(&self.checked_padded(samples)?)),
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

    /// [`check_samples`] and [`pad_center`] with zeros in one pass over the samples: each run
    /// of [`CACHED_RUN`] samples is checked just after it is copied, while it is in the cache.
    #[inline(always)]
    fn checked_padded(&self, samples: &[f32]) -> Result<Vec<f32>> {
        let pad = self.config.n_fft / 2;
        let mut padded = Vec::with_capacity(samples.len() + 2 * pad);
        padded.resize(pad, 0.0);
        let mut counts = [0; 2];
        for run in samples.chunks(CACHED_RUN) {
            padded.extend_from_slice(run);
            let [non_finite, beyond] = count_beyond(run, LIMITS);
            counts[0] += non_finite;
            counts[1] += beyond;
        }
        judge(samples, counts)?;
        padded.resize(samples.len() + 2 * pad, 0.0);
        Ok(padded)
    }

    /// Mel power of every frame, band by band: the STFT hands over the power spectra of
    /// [`frame::FRAME_BLOCK`] frames bin by bin, and the filterbank is applied to the block at once.
    #[inline(always)]
    fn mel_power_of_padded(&self, padded: &[f32]) -> Matrix {
        let frames = frame::frame_count(padded.len(), self.config.n_fft, self.config.hop_length);
        let mut out = Matrix::zeros(self.mel.n_mels(), frames);
        self.stft.power_blocks(
            padded,
            #[inline(always)]
            |first, width, block| {
                self.mel
                    .apply_block(block, width, &mut out.data[first..], frames);
            },
        );
        out
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

/// Samples copied and checked together by [`FeatureExtractor`]: 16 KiB, well within the L1
/// cache.
const CACHED_RUN: usize = 4096;

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

    #[test]
    fn checking_while_padding_pads_as_librosa_and_finds_bad_samples_in_any_run() {
        let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
        let samples: Vec<f32> = (0..3 * CACHED_RUN + 17)
            .map(|i| (i as f32 * 0.01).sin())
            .collect();
        assert_eq!(
            extractor.checked_padded(&samples).unwrap(),
            pad_center(&samples, 512, Padding::Zeros)
        );
        for at in [0, CACHED_RUN - 1, CACHED_RUN, samples.len() - 1] {
            let mut bad = samples.clone();
            bad[at] = f32::NAN;
            assert_eq!(extractor.checked_padded(&bad), Err(Error::NonFinite(1)));
            bad[at] = -2e6;
            assert!(matches!(
                extractor.checked_padded(&bad),
                Err(Error::OutOfRange { peak, .. }) if peak == 2e6
            ));
        }
        assert!(matches!(
            extractor.checked_padded(&[]),
            Err(Error::TooShort { .. })
        ));
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
        let padded = extractor.checked_padded(&audio.samples).unwrap();
        let baseline = extractor.frame_features_of_padded(&padded);
        assert!(widest.n_frames() > 100);
        assert_eq!(bits(&widest.zcr), bits(&baseline.zcr));
        assert_eq!(bits(&widest.rms), bits(&baseline.rms));
        let mfcc = extractor.dct.apply(&baseline.log_mel);
        assert_eq!(bits(&widest.mfcc.data), bits(&mfcc.data));
        let mel = extractor.mel_power(&audio.samples).unwrap();
        assert_eq!(
            bits(&mel.data),
            bits(&extractor.mel_power_of_padded(&padded).data)
        );
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

//! The one set of feature parameters shared by training, `predict` and the browser.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Every parameter of the feature pipeline, named as librosa names them. It is serialised into
/// the model's metadata so that training and inference can never disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Sample rate the audio is resampled to, in Hz.
    pub sr: u32,
    /// FFT size and analysis frame length in samples (also the ZCR / RMS frame length).
    pub n_fft: usize,
    /// Hop between frames in samples.
    pub hop_length: usize,
    /// Number of mel bands.
    pub n_mels: usize,
    /// Number of MFCCs kept (the first of the orthonormal DCT-II of the log-mel spectrum).
    pub n_mfcc: usize,
    /// Lowest mel band edge in Hz.
    pub fmin: f32,
    /// Highest mel band edge in Hz.
    pub fmax: f32,
}

impl Default for FeatureConfig {
    /// 16 kHz speech: 32 ms frames, 16 ms hop, 64 Slaney mel bands over 0-8 kHz, 20 MFCCs (the
    /// count librosa and the notebooks use).
    fn default() -> Self {
        Self {
            sr: 16_000,
            n_fft: 512,
            hop_length: 256,
            n_mels: 64,
            n_mfcc: 20,
            fmin: 0.0,
            fmax: 8_000.0,
        }
    }
}

impl FeatureConfig {
    /// Checks that the parameters describe a pipeline that can run.
    pub fn validate(&self) -> Result<()> {
        let fail = |msg: String| Err(Error::Config(msg));
        if self.sr == 0 {
            return fail("sr must be positive".into());
        }
        if self.n_fft < 2 || !self.n_fft.is_multiple_of(2) {
            return fail(format!(
                "n_fft must be even and at least 2 (each frame is transformed as a complex FFT \
                 of half its length), got {}",
                self.n_fft
            ));
        }
        if self.hop_length == 0 {
            return fail("hop_length must be positive".into());
        }
        if self.n_mels == 0 || self.n_mfcc == 0 || self.n_mfcc > self.n_mels {
            return fail(format!(
                "need 0 < n_mfcc <= n_mels, got n_mfcc {} and n_mels {}",
                self.n_mfcc, self.n_mels
            ));
        }
        let nyquist = self.sr as f32 / 2.0;
        if !(self.fmin >= 0.0 && self.fmin < self.fmax && self.fmax <= nyquist) {
            return fail(format!(
                "need 0 <= fmin < fmax <= sr/2 = {nyquist}, got fmin {} and fmax {}",
                self.fmin, self.fmax
            ));
        }
        Ok(())
    }

    /// Number of frames librosa produces for `n` samples with `center=True`.
    pub fn n_frames(&self, n: usize) -> usize {
        1 + (n + 2 * (self.n_fft / 2) - self.n_fft) / self.hop_length
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_or_tiny_frames_are_refused_with_a_reason() {
        for n_fft in [0, 1, 511] {
            let config = FeatureConfig {
                n_fft,
                ..FeatureConfig::default()
            };
            let Err(Error::Config(message)) = config.validate() else {
                panic!("n_fft {n_fft} accepted");
            };
            assert!(message.contains("n_fft must be even"), "{message}");
        }
        let even = FeatureConfig {
            n_fft: 400,
            hop_length: 160,
            ..FeatureConfig::default()
        };
        assert_eq!(even.validate(), Ok(()));
    }
}

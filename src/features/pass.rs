//! One pass over a signal's frames, [`FRAME_BLOCK`] at a time, framed as librosa's `center=True`
//! frames the signal padded with `n_fft / 2` zeros on each side, but without padding a copy of
//! it: a block's stretch of the padded signal is a slice of the samples where it lies inside
//! them, and only the blocks at the two ends, which reach into the padding, are copied into a
//! small padded buffer. The STFT powers (folded into mel bands), the ZCR and the RMS of a block
//! are all read from its stretch while it is in the cache.

use std::ops::Range;

use super::frame::{FRAME_BLOCK, block_span};
use super::{FeatureExtractor, Matrix, rms, zcr};

/// Mel power, ZCR and RMS of a run of frames, before the decibel step.
pub(super) struct Powers {
    /// Mel power, `n_mels × frames`.
    pub mel: Matrix,
    /// Zero-crossing rate per frame.
    pub zcr: Vec<f32>,
    /// RMS energy per frame.
    pub rms: Vec<f32>,
}

impl FeatureExtractor {
    /// The [`Powers`] of the frames `frames` of the centre-padded `samples`. `fresh` is handed
    /// the samples in order, each once, as the first block to cover it reaches it (so that they
    /// can be checked while in the cache); when the run ends with the signal's last frame, it is
    /// also handed any samples after the last frame's. `stretch_of` is handed each block's
    /// stretch of the padded signal, for other features of whole frames (the pitch).
    #[inline(always)]
    pub(super) fn frame_pass(
        &self,
        samples: &[f32],
        frames: Range<usize>,
        mut fresh: impl FnMut(&[f32]),
        mut stretch_of: impl FnMut(&[f32]),
    ) -> Powers {
        let (n_fft, hop) = (self.config.n_fft, self.config.hop_length);
        let pad = n_fft / 2;
        let count = frames.len();
        let mut powers = Powers {
            mel: Matrix::zeros(self.mel.n_mels(), count),
            zcr: Vec::with_capacity(count),
            rms: Vec::with_capacity(count),
        };
        let mut buffers = self.stft.buffers();
        let (mut edge, mut zcr_blocks, mut rms_blocks) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = self.first_fresh_sample(frames.start, samples.len());
        for first in frames.clone().step_by(FRAME_BLOCK) {
            let width = FRAME_BLOCK.min(frames.end - first);
            let span = block_span(first, width, n_fft, hop);
            // The signal's part of the span, in the span's coordinates and in the samples'.
            let inside = |i: usize| i.saturating_sub(span.start).min(span.len());
            let signal = inside(pad)..inside(pad + samples.len());
            let covered = span.start + signal.start - pad..span.start + signal.end - pad;
            if covered.end > seen {
                fresh(&samples[seen..covered.end]);
                seen = covered.end;
            }
            let stretch = if signal == (0..span.len()) {
                &samples[covered]
            } else {
                edge.clear();
                edge.resize(signal.start, 0.0);
                edge.extend_from_slice(&samples[covered]);
                edge.resize(span.len(), 0.0);
                &edge[..]
            };
            stretch_of(stretch);
            let (_, block) = self.stft.block_powers(stretch, &mut buffers);
            let out = &mut powers.mel.data[first - frames.start..];
            self.mel.apply_block(block, width, out, count);
            zcr::extend_from_padded(
                &mut powers.zcr,
                &mut zcr_blocks,
                stretch,
                signal,
                n_fft,
                hop,
            );
            rms::extend_from_padded(&mut powers.rms, &mut rms_blocks, stretch, n_fft, hop);
        }
        if frames.end == self.config.n_frames(samples.len()) {
            fresh(&samples[seen..]);
        }
        powers
    }

    /// The first sample [`Self::frame_pass`] hands to `fresh` for a run starting at frame
    /// `first_frame` of a signal of `len` samples: where that frame starts in the signal.
    pub(super) fn first_fresh_sample(&self, first_frame: usize, len: usize) -> usize {
        let pad = self.config.n_fft / 2;
        (first_frame * self.config.hop_length)
            .saturating_sub(pad)
            .min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::super::frame::{self, Padding, pad_center};
    use super::super::pitch::Pitch;
    use super::super::{FeatureConfig, FrameFeatures, db};
    use super::*;
    use crate::error::Error;

    /// A configuration whose hop is longer than its frames, so that some samples lie between
    /// frames and after the last one.
    fn gapped() -> FeatureConfig {
        FeatureConfig {
            hop_length: 1000,
            ..FeatureConfig::default()
        }
    }

    #[test]
    fn the_pass_finds_bad_samples_in_any_block_between_frames_and_after_the_last() {
        let samples: Vec<f32> = (0..3 * 4096 + 17)
            .map(|i| (i as f32 * 0.01).sin())
            .collect();
        // 4095 | 4096: the last sample the first block of 16 frames covers and the second
        // block's first new one. With a hop of 1000: 500 and 7300 lie between frames, and the
        // last sample after the last frame.
        for (config, at) in [
            (FeatureConfig::default(), [0, 4095, 4096, samples.len() - 1]),
            (gapped(), [0, 500, 7_300, samples.len() - 1]),
        ] {
            let extractor = FeatureExtractor::new(config).unwrap();
            assert!(extractor.frame_features(&samples).is_ok());
            for at in at {
                let mut bad = samples.clone();
                bad[at] = f32::NAN;
                assert_eq!(extractor.frame_features(&bad), Err(Error::NonFinite(1)));
                bad[at] = -2e6;
                assert!(matches!(
                    extractor.frame_features_and_pitch(&bad),
                    Err(Error::OutOfRange { peak, .. }) if peak == 2e6
                ));
            }
            assert!(matches!(
                extractor.frame_features(&[]),
                Err(Error::TooShort { .. })
            ));
        }
    }

    /// The features and pitch of a padded copy of the signal, framed block by block as the
    /// pass frames it: what the pass must give without the copy.
    fn of_a_padded_copy(extractor: &FeatureExtractor, samples: &[f32]) -> (FrameFeatures, Pitch) {
        let FeatureConfig {
            n_fft, hop_length, ..
        } = extractor.config;
        let padded = pad_center(samples, n_fft, Padding::Zeros);
        let frames = frame::frame_count(padded.len(), n_fft, hop_length);
        let mut log_mel = Matrix::zeros(extractor.mel.n_mels(), frames);
        let mut buffers = extractor.stft.buffers();
        for (first, stretch) in frame::block_stretches(&padded, n_fft, hop_length) {
            let (width, block) = extractor.stft.block_powers(stretch, &mut buffers);
            let out = &mut log_mel.data[first..];
            extractor.mel.apply_block(block, width, out, frames);
        }
        db::power_to_db_in_place(&mut log_mel.data);
        let features = FrameFeatures {
            zcr: zcr::zero_crossing_rate(samples, n_fft, hop_length),
            rms: rms::rms(samples, n_fft, hop_length),
            log_mel,
        };
        (features, extractor.yin.pitch(&padded))
    }

    #[test]
    fn the_pass_gives_the_features_of_a_padded_copy_bit_for_bit() {
        let signal: Vec<f32> = (0..9_000)
            .map(|i| (i as f32 * 0.037).sin() * 0.3 + ((i * 7919) % 101) as f32 / 1e3 - 0.05)
            .collect();
        let short_frames = FeatureConfig {
            n_fft: 400,
            hop_length: 160,
            ..FeatureConfig::default()
        };
        for config in [FeatureConfig::default(), short_frames, gapped()] {
            let extractor = FeatureExtractor::new(config).unwrap();
            for len in [1, 255, 256, 257, 4_095, 4_096, 4_097, 9_000] {
                let samples = &signal[..len];
                let (mut pitch, mut buffers) = (Pitch::default(), extractor.yin.buffers());
                let features = extractor
                    .checked_frame_features(samples, |s| {
                        extractor.yin.extend_pitch(&mut pitch, s, &mut buffers)
                    })
                    .unwrap();
                let (expected, expected_pitch) = of_a_padded_copy(&extractor, samples);
                let what = format!("{len} samples, {:?}", extractor.config());
                assert_eq!(features, expected, "{what}");
                assert_eq!(pitch, expected_pitch, "{what}");
            }
        }
    }
}

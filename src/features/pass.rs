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
        let mut seen = (frames.start * hop).saturating_sub(pad).min(samples.len());
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
}

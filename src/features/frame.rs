//! Centre padding and framing as librosa's `center=True` does it.

use std::ops::Range;

/// How the signal is extended by `n_fft / 2` samples on each side before framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Zeros: `np.pad(mode="constant")`, used by the STFT and `rms`.
    Zeros,
    /// Repeat the edge samples: `np.pad(mode="edge")`, used by `zero_crossing_rate`.
    Edge,
}

/// The signal padded by `frame_length / 2` on both sides.
pub fn pad_center(samples: &[f32], frame_length: usize, padding: Padding) -> Vec<f32> {
    let pad = frame_length / 2;
    let (left, right) = match padding {
        Padding::Zeros => (0.0, 0.0),
        Padding::Edge => (
            samples.first().copied().unwrap_or(0.0),
            samples.last().copied().unwrap_or(0.0),
        ),
    };
    let mut padded = Vec::with_capacity(samples.len() + 2 * pad);
    padded.resize(pad, left);
    padded.extend_from_slice(samples);
    padded.resize(samples.len() + 2 * pad, right);
    padded
}

/// The frames of a padded signal, as `librosa.util.frame` lays them out.
pub fn frames<T>(padded: &[T], frame_length: usize, hop: usize) -> impl Iterator<Item = &[T]> {
    (0..frame_count(padded.len(), frame_length, hop))
        .map(move |t| &padded[t * hop..t * hop + frame_length])
}

/// Frames the spectral steps handle together: the STFT hands over 16 power spectra of 257 bins
/// at once (they stay in the L1 cache), and the filterbank and DCT sum along 16 frames, whole
/// vector registers in every lane width.
pub const FRAME_BLOCK: usize = 16;

/// The frame blocks of a padded signal: for each run of up to [`FRAME_BLOCK`] frames, the index
/// of its first frame and the stretch of `padded` those frames cover ([`block_span`]).
pub fn block_stretches<T>(
    padded: &[T],
    frame_length: usize,
    hop: usize,
) -> impl Iterator<Item = (usize, &[T])> {
    let total = frame_count(padded.len(), frame_length, hop);
    (0..total).step_by(FRAME_BLOCK).map(move |first| {
        let width = FRAME_BLOCK.min(total - first);
        (first, &padded[block_span(first, width, frame_length, hop)])
    })
}

/// The samples (in padded coordinates) that frames `first..first + width` cover together.
pub fn block_span(first: usize, width: usize, frame_length: usize, hop: usize) -> Range<usize> {
    first * hop..(first + width - 1) * hop + frame_length
}

/// Copies the first `dst.len()` (at most [`FRAME_BLOCK`]) values of a block: a fixed-size copy
/// for a whole block, inlined as a few vector moves. The last, partial block's copy is kept out
/// of line, or the compiler merges both into one `memcpy` call for every block.
#[inline(always)]
pub fn store_block(dst: &mut [f32], src: &[f32; FRAME_BLOCK]) {
    match <&mut [f32; FRAME_BLOCK]>::try_from(&mut *dst) {
        Ok(whole) => *whole = *src,
        Err(_) => store_partial(dst, *src),
    }
}

/// Loads up to [`FRAME_BLOCK`] values into a block, a fixed-size copy for a whole one
/// ([`store_block`]'s converse); a partial block's other values become zero.
#[inline(always)]
pub fn load_block(dst: &mut [f32; FRAME_BLOCK], src: &[f32]) {
    match <&[f32; FRAME_BLOCK]>::try_from(src) {
        Ok(whole) => *dst = *whole,
        Err(_) => *dst = load_partial(src),
    }
}

/// [`store_block`] for a signal's last, partial block. The block is passed by value so that the
/// caller's sums can stay in registers.
#[cold]
#[inline(never)]
fn store_partial(dst: &mut [f32], src: [f32; FRAME_BLOCK]) {
    dst.copy_from_slice(&src[..dst.len()]);
}

/// [`load_block`] for a signal's last, partial block, returned by value (see [`store_partial`]);
/// the values past `src` are zero.
#[cold]
#[inline(never)]
fn load_partial(src: &[f32]) -> [f32; FRAME_BLOCK] {
    let mut block = [0.0; FRAME_BLOCK];
    block[..src.len()].copy_from_slice(src);
    block
}

/// How many whole frames of `frame_length`, one every `hop` samples, fit in `len` samples.
pub fn frame_count(len: usize, frame_length: usize, hop: usize) -> usize {
    if len < frame_length {
        0
    } else {
        1 + (len - frame_length) / hop
    }
}

/// The longest block that tiles every frame and every hop: `gcd(frame_length, hop)`. Per-frame
/// sums are added up from per-block sums, so that each sample is read once.
pub fn block_len(frame_length: usize, hop: usize) -> usize {
    let (mut a, mut b) = (frame_length, hop);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_padding_repeats_the_ends() {
        let padded = pad_center(&[1.0, 2.0, 3.0], 4, Padding::Edge);
        assert_eq!(padded, vec![1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0]);
    }

    #[test]
    fn zero_padding_and_frame_count() {
        let padded = pad_center(&[1.0; 10], 4, Padding::Zeros);
        assert_eq!(padded.len(), 14);
        assert_eq!(&padded[..2], &[0.0, 0.0]);
        assert_eq!(frames(&padded, 4, 3).count(), 1 + 10 / 3);
    }
}

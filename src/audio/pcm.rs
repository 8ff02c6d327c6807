//! 16-bit little-endian PCM (what WAV files almost always hold) read straight from the packet's
//! bytes and averaged to mono in one pass. symphonia's PCM decoder reads such packets a sample
//! at a time through a byte reader into planar buffers, which we then copied to interleaved
//! `f32`: two thirds of the time of decoding and featurising a minute of WAV. The samples are
//! the ones symphonia gives (`s / 32768`, channels summed in order, then scaled), bit for bit.

/// Appends the mono samples of interleaved 16-bit little-endian frames to `out`; a trailing
/// partial frame is ignored. Returns the number of frames read.
pub fn append_mono_s16le(bytes: &[u8], channels: usize, out: &mut Vec<f32>) -> usize {
    let channels = channels.max(1);
    let frame_bytes = 2 * channels;
    let frames = bytes.len() / frame_bytes;
    let bytes = &bytes[..frames * frame_bytes];
    let sample = |b: &[u8]| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0;
    if channels == 1 {
        out.extend(bytes.chunks_exact(2).map(sample));
    } else {
        let scale = 1.0 / channels as f32;
        out.extend(
            bytes
                .chunks_exact(frame_bytes)
                .map(|frame| frame.chunks_exact(2).map(sample).sum::<f32>() * scale),
        );
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_scale_and_stereo_are_read_as_symphonia_reads_them() {
        let bytes: Vec<u8> = [i16::MIN, i16::MAX, 0, -1, 1234]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let mut mono = Vec::new();
        assert_eq!(append_mono_s16le(&bytes, 1, &mut mono), 5);
        assert_eq!(
            mono,
            [
                -1.0,
                32_767.0 / 32_768.0,
                0.0,
                -1.0 / 32_768.0,
                1234.0 / 32_768.0
            ]
        );
        let mut stereo = Vec::new();
        assert_eq!(
            append_mono_s16le(&bytes, 2, &mut stereo),
            2,
            "the odd sample is dropped"
        );
        assert_eq!(
            stereo,
            [(-1.0 + 32_767.0 / 32_768.0) * 0.5, -0.5 / 32_768.0]
        );
    }
}

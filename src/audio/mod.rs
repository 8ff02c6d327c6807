//! Audio input: decoding any supported container to mono samples and resampling them.

pub mod decode;
pub mod pcm;
pub mod resample;
pub mod sanitize;

pub use decode::{Audio, AudioStream, DecodeOptions, decode_bytes, decode_file};
pub use resample::{StreamResampler, resample};

use std::path::Path;

use crate::error::Result;

/// Decodes a file and resamples it to `rate` Hz: the first two steps of the pipeline, as one
/// stream. Only the resampled audio is held (plus a packet and the resampler's chunk), never the
/// decoded file at its original rate. Returns the resampled audio and the file's original rate.
pub fn load_file(path: &Path, rate: u32, options: DecodeOptions) -> Result<(Audio, u32)> {
    to_rate(AudioStream::from_file(path, options)?, rate)
}

/// [`load_file`] for bytes already in memory (the browser's path).
pub fn load_bytes(bytes: Vec<u8>, rate: u32, options: DecodeOptions) -> Result<(Audio, u32)> {
    to_rate(AudioStream::from_bytes(bytes, options)?, rate)
}

fn to_rate(mut stream: AudioStream, rate: u32) -> Result<(Audio, u32)> {
    let original = stream.sample_rate();
    let mut resampler = StreamResampler::new(original, rate)?;
    // A header length checked against the file size sizes the output exactly, so it is never
    // reallocated to twice its size.
    let frames = stream.verified_frames().unwrap_or(0);
    let expected = frames as f64 * f64::from(rate) / f64::from(original);
    let mut samples = Vec::with_capacity(expected.ceil() as usize);
    let mut chunk = Vec::new();
    // Counted before resampling, which would smear one bad sample over its neighbours.
    let mut non_finite = 0;
    while stream.next_chunk(&mut chunk)? {
        non_finite += chunk.iter().filter(|x| !x.is_finite()).count();
        resampler.push(&chunk, &mut samples)?;
        chunk.clear();
    }
    if non_finite > 0 {
        return Err(crate::Error::NonFinite(non_finite));
    }
    resampler.finish(&mut samples)?;
    Ok((
        Audio {
            samples,
            sample_rate: rate,
        },
        original,
    ))
}

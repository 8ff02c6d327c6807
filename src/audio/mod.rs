//! Audio input: decoding any supported container to mono samples and resampling them.

pub mod decode;
pub mod resample;

pub use decode::{Audio, AudioStream, DecodeOptions, decode_bytes, decode_file};
pub use resample::{StreamResampler, resample};

use std::path::Path;

use crate::error::Result;

/// Decodes a file and resamples it to `rate` Hz: the first two steps of the pipeline.
/// Returns the resampled audio and the file's original rate.
pub fn load_file(path: &Path, rate: u32, options: DecodeOptions) -> Result<(Audio, u32)> {
    let audio = decode_file(path, options)?;
    to_rate(audio, rate)
}

/// [`load_file`] for bytes already in memory (the browser's path).
pub fn load_bytes(bytes: Vec<u8>, rate: u32, options: DecodeOptions) -> Result<(Audio, u32)> {
    let audio = decode_bytes(bytes, options)?;
    to_rate(audio, rate)
}

fn to_rate(audio: Audio, rate: u32) -> Result<(Audio, u32)> {
    let original = audio.sample_rate;
    let samples = resample(audio.samples, original, rate)?;
    Ok((
        Audio {
            samples,
            sample_rate: rate,
        },
        original,
    ))
}

//! Audio input: decoding any supported container to mono samples and resampling them.

pub mod decode;
pub mod resample;

pub use decode::{Audio, AudioStream, DecodeOptions, decode_bytes, decode_file};
pub use resample::{StreamResampler, resample};

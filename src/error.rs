//! One error type for the whole pipeline, so every failure reaches the user (CLI or browser) as a
//! sentence instead of a panic.

use thiserror::Error;

/// Everything that can go wrong between bytes and probabilities.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The input holds no bytes at all.
    #[error("the file is empty (0 bytes)")]
    Empty,
    /// The bytes are not in any audio container we can read.
    #[error("this is not an audio file we can read (WAV, AIFF, FLAC or MP3): {0}")]
    NotAudio(String),
    /// The container is known but its codec is not.
    #[error("the audio codec is not supported: {0}")]
    UnsupportedCodec(String),
    /// A well-formed header that announces no samples, or a stream that decodes to none.
    #[error("the file contains no audio samples")]
    NoSamples,
    /// The header promises more audio than the file holds.
    #[error(
        "the file is truncated or its header is corrupt: it announces {claimed} sample frames \
         but holds only {available}"
    )]
    Truncated {
        /// Frames the header announces.
        claimed: u64,
        /// Frames the bytes can actually hold.
        available: u64,
    },
    /// The stream is damaged past the point where decoding can go on.
    #[error("the audio data is corrupt: {0}")]
    Corrupt(String),
    /// The audio is longer than the configured cap.
    #[error("the audio is {seconds:.1} s long, over the limit of {limit:.1} s")]
    TooLong {
        /// Duration of the input (or a lower bound of it) in seconds.
        seconds: f64,
        /// The configured limit in seconds.
        limit: f64,
    },
    /// A sample rate of zero or one beyond reason.
    #[error("unsupported sample rate: {0} Hz")]
    BadSampleRate(u32),
    /// Samples that are NaN or infinite.
    #[error("the audio contains {0} NaN or infinite samples")]
    NonFinite(usize),
    /// Sample values so far beyond full scale that they can only be garbage (e.g. arbitrary
    /// bytes read as floats); their squares would overflow the spectrum.
    #[error(
        "sample values reach {peak:e}, far beyond full scale (±1): the audio is corrupt \
         (at most ±{limit:e} is accepted)"
    )]
    OutOfRange {
        /// The largest magnitude found.
        peak: f32,
        /// The largest magnitude accepted.
        limit: f32,
    },
    /// The audio is too short to compute even one analysis frame.
    #[error("the audio is too short: {samples} samples, at least {needed} are needed")]
    TooShort {
        /// Samples given.
        samples: usize,
        /// Samples needed.
        needed: usize,
    },
    /// A feature configuration that cannot work (e.g. fmax above Nyquist).
    #[error("invalid feature configuration: {0}")]
    Config(String),
    /// The resampler refused its input or parameters.
    #[error("resampling failed: {0}")]
    Resample(String),
    /// The embedded or given model could not be loaded.
    #[error("the model could not be loaded: {0}")]
    Model(String),
    /// A set of recordings too small to standardise by its own statistics.
    #[error(
        "standardising a set by its own statistics needs at least {needed} speech windows \
         (about 12-25 short clips from one source); this set holds {windows}"
    )]
    SetTooSmall {
        /// Speech windows the set holds.
        windows: usize,
        /// Speech windows a set needs.
        needed: usize,
    },
    /// A set of recordings too small to balance its answers over.
    #[error(
        "balancing answers over a set needs at least {needed} recordings with speech from one \
         source; this set holds {recordings}"
    )]
    SetTooSmallToBalance {
        /// Recordings with speech the set holds.
        recordings: usize,
        /// Recordings with speech a set needs.
        needed: usize,
    },
    /// Answers restricted to too few classes to tell anything apart.
    #[error("answers need at least {needed} different emotions to choose among; {given} given")]
    TooFewClasses {
        /// Different classes given.
        given: usize,
        /// Classes needed.
        needed: usize,
    },
    /// A class name the model does not know.
    #[error(
        "unknown emotion {0:?}: the model knows neutral, happy, sad, angry, fear, disgust and surprise"
    )]
    UnknownClass(String),
    /// Reading a file from disk failed.
    #[error("could not read the file: {0}")]
    Io(String),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

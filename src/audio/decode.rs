//! Decoding any supported container to mono `f32` samples with symphonia.
//!
//! The container is recognised from the bytes, never from the file name: two TESS clips are AIFF
//! files named `.wav`. Channels are averaged to mono, as `librosa.to_mono` does. Decoding is a
//! stream ([`AudioStream`]) so long files can be processed chunk by chunk; [`decode_bytes`] and
//! [`decode_file`] collect the whole stream for the common case.

use std::fs::File;
use std::io::Cursor;
use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{
    CODEC_TYPE_MP1, CODEC_TYPE_MP2, CODEC_TYPE_MP3, CODEC_TYPE_NULL, CODEC_TYPE_PCM_S16LE,
    CODEC_TYPE_VORBIS, Decoder, DecoderOptions,
};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{pcm, sanitize};
use crate::error::{Error, Result};

/// Highest sample rate accepted; anything above is a corrupt header rather than audio.
pub const MAX_SAMPLE_RATE: u32 = 768_000;

/// Frames a lossless stream may fall short of its header before it counts as truncated.
const TRUNCATION_SLACK: u64 = 64;

/// Limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeOptions {
    /// Audio longer than this many seconds is refused with [`Error::TooLong`].
    pub max_duration_s: f64,
}

impl Default for DecodeOptions {
    /// Two hours: generous for interviews and podcasts, yet bounded in memory (about 460 MB
    /// of mono `f32` at 16 kHz after resampling).
    fn default() -> Self {
        Self {
            max_duration_s: 2.0 * 3600.0,
        }
    }
}

/// Decoded mono audio at its original sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Mono samples in [-1, 1] (not clamped: float files may exceed it).
    pub samples: Vec<f32>,
    /// Samples per second.
    pub sample_rate: u32,
}

impl Audio {
    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate)
    }
}

/// Frames decoded so far against the length limit.
struct FrameBudget {
    decoded: u64,
    max: u64,
    rate: u32,
    limit_s: f64,
}

impl FrameBudget {
    /// Counts decoded frames; an error once they pass the limit.
    fn count(&mut self, frames: usize) -> Result<()> {
        self.decoded += frames as u64;
        if self.decoded > self.max {
            return Err(Error::TooLong {
                seconds: self.decoded as f64 / f64::from(self.rate),
                limit: self.limit_s,
            });
        }
        Ok(())
    }
}

/// A decoder that yields mono chunks of a file, one packet at a time.
pub struct AudioStream {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    sample_rate: u32,
    claimed_frames: Option<u64>,
    verified_frames: Option<u64>,
    lossless: bool,
    budget: FrameBudget,
    buffer: Option<SampleBuffer<f32>>,
    /// Channels of a 16-bit little-endian PCM stream, read from the packets without the
    /// decoder ([`pcm`]); `None` for every other codec.
    pcm16_channels: Option<usize>,
    finished: bool,
}

impl AudioStream {
    /// Opens a stream over bytes already in memory.
    pub fn from_bytes(mut bytes: Vec<u8>, options: DecodeOptions) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Error::Empty);
        }
        let plan = sanitize::plan(&mut Cursor::new(&bytes))?;
        sanitize::apply(&mut bytes, &plan);
        Self::open(Box::new(Cursor::new(bytes)), options)
    }

    /// Opens a stream over a file on disk without reading it all first.
    pub fn from_file(path: &Path, options: DecodeOptions) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        let len = file
            .metadata()
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?
            .len();
        if len == 0 {
            return Err(Error::Empty);
        }
        Self::open(Box::new(sanitize::Patched::new(file)?), options)
    }

    fn open(source: Box<dyn MediaSource>, options: DecodeOptions) -> Result<Self> {
        let byte_len = source.byte_len();
        let stream = MediaSourceStream::new(source, Default::default());
        let probed = symphonia::default::get_probe()
            .format(
                &Hint::new(),
                stream,
                &FormatOptions::default(),
                &MetadataOptions::default(),
            )
            .map_err(probe_error)?;
        let format = probed.format;
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or(Error::NoSamples)?;
        let params = track.codec_params.clone();
        let track_id = track.id;
        let sample_rate = params.sample_rate.ok_or(Error::BadSampleRate(0))?;
        if sample_rate == 0 || sample_rate > MAX_SAMPLE_RATE {
            return Err(Error::BadSampleRate(sample_rate));
        }
        let lossless = ![
            CODEC_TYPE_MP1,
            CODEC_TYPE_MP2,
            CODEC_TYPE_MP3,
            CODEC_TYPE_VORBIS,
        ]
        .contains(&params.codec);
        let claimed_frames = params.n_frames;
        let mut verified_frames = None;
        if let (Some(frames), Some(bits), Some(channels), Some(len)) = (
            claimed_frames,
            params.bits_per_coded_sample,
            params.channels,
            byte_len,
        ) {
            let bytes_per_frame = u64::from(bits.div_ceil(8)) * channels.count() as u64;
            if bytes_per_frame > 0 && frames.saturating_mul(bytes_per_frame) > len {
                return Err(Error::Truncated {
                    claimed: frames,
                    available: len / bytes_per_frame,
                });
            }
            verified_frames = Some(frames);
        }
        if claimed_frames == Some(0) {
            return Err(Error::NoSamples);
        }
        let max_frames = (options.max_duration_s * f64::from(sample_rate)).floor() as u64;
        if let Some(frames) = claimed_frames
            && frames > max_frames
        {
            return Err(Error::TooLong {
                seconds: frames as f64 / f64::from(sample_rate),
                limit: options.max_duration_s,
            });
        }
        let pcm16_channels = params
            .channels
            .filter(|_| params.codec == CODEC_TYPE_PCM_S16LE)
            .map(|c| c.count());
        let decoder = symphonia::default::get_codecs()
            .make(&params, &DecoderOptions::default())
            .map_err(|e| Error::UnsupportedCodec(e.to_string()))?;
        Ok(Self {
            format,
            decoder,
            track_id,
            sample_rate,
            claimed_frames,
            verified_frames,
            lossless,
            budget: FrameBudget {
                decoded: 0,
                max: max_frames,
                rate: sample_rate,
                limit_s: options.max_duration_s,
            },
            buffer: None,
            pcm16_channels,
            finished: false,
        })
    }

    /// The stream's sample rate in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The number of frames the header announces, when it does.
    pub fn claimed_frames(&self) -> Option<u64> {
        self.claimed_frames
    }

    /// The header's frame count when the file is big enough to hold it and it is within the
    /// length limit: safe to allocate for, unlike a claim a corrupt header can inflate.
    pub fn verified_frames(&self) -> Option<u64> {
        self.verified_frames.filter(|&f| f <= self.budget.max)
    }

    /// Decodes the next packet and appends its mono samples to `out`. Returns `false` at the end.
    pub fn next_chunk(&mut self, out: &mut Vec<f32>) -> Result<bool> {
        if self.finished {
            return Ok(false);
        }
        loop {
            let packet = match self.format.next_packet() {
                Ok(packet) => packet,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return self.finish();
                }
                Err(SymphoniaError::ResetRequired) => return self.finish(),
                Err(e) => return Err(stream_error(e)),
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            if let Some(channels) = self.pcm16_channels {
                let start = out.len();
                let frames = pcm::append_mono_s16le(packet.buf(), channels, out);
                if frames == 0 {
                    continue;
                }
                if let Err(e) = self.budget.count(frames) {
                    out.truncate(start);
                    return Err(e);
                }
                return Ok(true);
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(decoded) => decoded,
                // A damaged MP3/Vorbis frame is skipped, as every player does.
                Err(SymphoniaError::DecodeError(_)) if !self.lossless => continue,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return self.finish();
                }
                Err(e) => return Err(stream_error(e)),
            };
            let spec = *decoded.spec();
            let frames = decoded.frames();
            if frames == 0 {
                continue;
            }
            self.budget.count(frames)?;
            let channels = spec.channels.count().max(1);
            let buffer = match &mut self.buffer {
                Some(buffer) if buffer.capacity() >= decoded.capacity() * channels => buffer,
                slot => slot.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
            };
            buffer.copy_interleaved_ref(decoded);
            let interleaved = &buffer.samples()[..frames * channels];
            if channels == 1 {
                out.extend_from_slice(interleaved);
            } else {
                let scale = 1.0 / channels as f32;
                out.extend(
                    interleaved
                        .chunks_exact(channels)
                        .map(|frame| frame.iter().sum::<f32>() * scale),
                );
            }
            return Ok(true);
        }
    }

    fn finish(&mut self) -> Result<bool> {
        self.finished = true;
        if self.budget.decoded == 0 {
            return Err(Error::NoSamples);
        }
        // A few frames of slack: symphonia counts AIFF's 8-byte SSND prefix as audio.
        if let Some(claimed) = self.claimed_frames
            && self.lossless
            && self.budget.decoded + TRUNCATION_SLACK.max(claimed / 1000) < claimed
        {
            return Err(Error::Truncated {
                claimed,
                available: self.budget.decoded,
            });
        }
        Ok(false)
    }

    /// Decodes everything that is left.
    pub fn collect(mut self) -> Result<Audio> {
        let capacity = self.verified_frames().unwrap_or(0) as usize;
        let mut samples = Vec::with_capacity(capacity);
        while self.next_chunk(&mut samples)? {}
        Ok(Audio {
            samples,
            sample_rate: self.sample_rate,
        })
    }
}

/// Decodes a whole file held in memory.
pub fn decode_bytes(bytes: Vec<u8>, options: DecodeOptions) -> Result<Audio> {
    AudioStream::from_bytes(bytes, options)?.collect()
}

/// Decodes a whole file from disk.
pub fn decode_file(path: &Path, options: DecodeOptions) -> Result<Audio> {
    AudioStream::from_file(path, options)?.collect()
}

fn probe_error(e: SymphoniaError) -> Error {
    match e {
        // A known container (e.g. "wav: unsupported wave format") holding an unknown codec.
        SymphoniaError::Unsupported(msg) if !msg.starts_with("core") => {
            Error::UnsupportedCodec(msg.to_string())
        }
        SymphoniaError::Unsupported(msg) => Error::NotAudio(msg.to_string()),
        SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::NotAudio("the header ends before any audio".into())
        }
        other => Error::Corrupt(other.to_string()),
    }
}

fn stream_error(e: SymphoniaError) -> Error {
    match e {
        SymphoniaError::Unsupported(msg) => Error::UnsupportedCodec(msg.to_string()),
        other => Error::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sample of a stream, through the PCM fast path or through symphonia's decoder.
    fn decode(path: &Path, fast: bool) -> Vec<f32> {
        let mut stream = AudioStream::from_file(path, DecodeOptions::default()).unwrap();
        assert!(stream.pcm16_channels.is_some(), "a 16-bit PCM file");
        if !fast {
            stream.pcm16_channels = None;
        }
        stream.collect().unwrap().samples
    }

    #[test]
    fn pcm_fast_path_gives_symphonias_samples_bit_for_bit() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/originals");
        for file in [
            "ravdess/Actor_01/03-01-08-01-02-02-01.wav",
            "savee/DC_su10.wav",
        ] {
            let path = data.join(file);
            let (fast, slow) = (decode(&path, true), decode(&path, false));
            assert!(fast.len() > 40_000, "{file}: {} samples", fast.len());
            assert!(fast == slow, "{file}: the fast path differs from symphonia");
        }
    }
}

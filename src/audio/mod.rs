//! Audio input: decoding any supported container to mono samples and resampling them.

mod decimate;
pub mod decode;
pub mod pcm;
#[cfg(not(target_arch = "wasm32"))]
mod pieces;
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

fn to_rate(stream: AudioStream, rate: u32) -> Result<(Audio, u32)> {
    let original = stream.sample_rate();
    // A header length checked against the file size sizes the output exactly, so it is never
    // reallocated to twice its size.
    let frames = stream.verified_frames().unwrap_or(0);
    let expected = frames as f64 * f64::from(rate) / f64::from(original);
    let mut samples = Vec::with_capacity(expected.ceil() as usize);
    // Counted before resampling, which would smear one bad sample over its neighbours.
    let mut non_finite = 0;
    let mut count = |chunk: &[f32]| non_finite += chunk.iter().filter(|x| !x.is_finite()).count();
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(factor) = decimate::whole_factor(original, rate) {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        pieces::resample_in_pieces(factor, rate, threads, &mut samples, |push| {
            each_chunk(stream, |chunk| {
                count(chunk);
                push(chunk)
            })
        })?;
        return checked(samples, non_finite, rate, original);
    }
    let mut resampler = StreamResampler::new(original, rate)?;
    each_chunk(stream, |chunk| {
        count(chunk);
        resampler.push(chunk, &mut samples)
    })?;
    resampler.finish(&mut samples)?;
    checked(samples, non_finite, rate, original)
}

/// The resampled audio, or the error for the non-finite samples the decoded audio held.
fn checked(samples: Vec<f32>, non_finite: usize, rate: u32, original: u32) -> Result<(Audio, u32)> {
    if non_finite > 0 {
        return Err(crate::Error::NonFinite(non_finite));
    }
    Ok((
        Audio {
            samples,
            sample_rate: rate,
        },
        original,
    ))
}

/// Samples decoded natively before a chunk is handed over (a few packets' worth).
#[cfg(not(target_arch = "wasm32"))]
const HANDOVER: usize = 1 << 16;

/// Calls `f` with every decoded chunk, in order. Natively the file is read and decoded on a
/// thread of its own, a few chunks ahead, so that reading and decoding overlap with `f`'s
/// resampling: the same samples as on one thread, in a little over the longer of the two times.
#[cfg(not(target_arch = "wasm32"))]
fn each_chunk(mut stream: AudioStream, mut f: impl FnMut(&[f32]) -> Result<()>) -> Result<()> {
    use std::sync::mpsc;
    let (full, filled) = mpsc::sync_channel::<Vec<f32>>(4);
    let (empty, emptied) = mpsc::channel::<Vec<f32>>();
    std::thread::scope(|scope| {
        let decoder = scope.spawn(move || -> Result<()> {
            loop {
                let mut chunk = emptied.try_recv().unwrap_or_default();
                chunk.clear();
                let mut more = true;
                while more && chunk.len() < HANDOVER {
                    more = stream.next_chunk(&mut chunk)?;
                }
                // A closed channel means the consumer failed and has its own error to report.
                if (!chunk.is_empty() && full.send(chunk).is_err()) || !more {
                    return Ok(());
                }
            }
        });
        let mut consumed = Ok(());
        for chunk in filled.iter() {
            consumed = f(&chunk);
            if consumed.is_err() {
                break;
            }
            // The decoder may have finished already; the buffer is then simply dropped.
            let _ = empty.send(chunk);
        }
        drop(filled);
        let decoded = decoder
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        consumed.and(decoded)
    })
}

/// Calls `f` with every decoded chunk, in order (the page has one thread).
#[cfg(target_arch = "wasm32")]
fn each_chunk(mut stream: AudioStream, mut f: impl FnMut(&[f32]) -> Result<()>) -> Result<()> {
    let mut chunk = Vec::new();
    while stream.next_chunk(&mut chunk)? {
        f(&chunk)?;
        chunk.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original(file: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/originals")
            .join(file)
    }

    #[test]
    fn streamed_loading_equals_decoding_then_resampling() {
        // 48 kHz stereo: several hand-overs from the decoding thread.
        let path = original("ravdess/Actor_01/03-01-08-01-02-02-01.wav");
        let (streamed, rate) = load_file(&path, 16_000, DecodeOptions::default()).unwrap();
        let whole = decode_file(&path, DecodeOptions::default()).unwrap();
        assert_eq!(rate, whole.sample_rate);
        assert!(
            whole.samples.len() > 2 * (1 << 16),
            "{}",
            whole.samples.len()
        );
        let resampled = resample(whole.samples, rate, 16_000).unwrap();
        assert!(streamed.samples == resampled, "the streamed samples differ");
    }

    #[test]
    fn a_failing_consumer_stops_the_decoder_with_its_own_error() {
        let path = original("ravdess/Actor_01/03-01-08-01-02-02-01.wav");
        let stream = AudioStream::from_file(&path, DecodeOptions::default()).unwrap();
        let mut calls = 0;
        let result = each_chunk(stream, |_| {
            calls += 1;
            Err(crate::Error::Resample("stop".into()))
        });
        assert!(matches!(result, Err(crate::Error::Resample(m)) if m == "stop"));
        assert_eq!(calls, 1);
    }
}

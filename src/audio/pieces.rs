//! Resampling on every core (native). The stream is cut into pieces of a few seconds; each is
//! resampled on its own, with a margin of input on either side wider than the filter, trimmed to
//! the outputs that are its own, and the pieces are joined in order. For a whole-number ratio
//! (32, 48 or 96 kHz to 16 kHz) every output sample is the same filter over the same inputs
//! wherever the stream is cut, so the joined samples are bit for bit those of one resampler (a
//! test checks it). Other ratios stay on one resampler: their filter phases would drift apart.

use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};

use super::resample::{SINC_LEN, StreamResampler};
use crate::error::Result;

/// Outputs a piece contributes (8 s at 16 kHz): long enough that the margins and the filter's
/// flush are a percent of the work, short enough that a few pieces in flight stay small.
const PIECE_OUTPUTS: usize = 1 << 17;

/// Input samples with margins, and which of their outputs belong to the piece.
struct Piece {
    index: usize,
    input: Vec<f32>,
    /// Outputs of the left margin, dropped.
    skip: usize,
    /// Outputs kept after those; `None` for the last piece, which keeps everything up to the
    /// stream's end.
    keep: Option<usize>,
}

/// Cuts a stream of input samples into [`Piece`]s.
struct Cutter {
    factor: usize,
    margin: usize,
    /// The input not yet handed over, after `left` samples of margin.
    buffer: Vec<f32>,
    left: usize,
    next: usize,
}

impl Cutter {
    fn new(factor: usize) -> Self {
        Self {
            factor,
            margin: factor * SINC_LEN,
            buffer: Vec::new(),
            left: 0,
            next: 0,
        }
    }

    /// Appends input and hands over every piece it completes.
    fn push(&mut self, input: &[f32], mut send: impl FnMut(Piece) -> Result<()>) -> Result<()> {
        self.buffer.extend_from_slice(input);
        let own = self.factor * PIECE_OUTPUTS;
        // Where the next piece, its left margin included, begins in the buffer.
        let mut start = 0;
        while self.buffer.len() - start >= self.left + own + self.margin {
            let end = start + self.left + own + self.margin;
            let piece = Piece {
                index: self.next,
                input: self.buffer[start..end].to_vec(),
                skip: self.left / self.factor,
                keep: Some(PIECE_OUTPUTS),
            };
            start = end - 2 * self.margin;
            self.next += 1;
            self.left = self.margin;
            send(piece)?;
        }
        self.buffer.drain(..start);
        Ok(())
    }

    /// The last piece: what is left, to the stream's end.
    fn finish(self) -> Piece {
        Piece {
            index: self.next,
            skip: self.left / self.factor,
            input: self.buffer,
            keep: None,
        }
    }
}

/// Resamples a piece with `resampler` (reset first) and returns its own outputs.
fn resample_piece(resampler: &mut StreamResampler, piece: &Piece) -> Result<Vec<f32>> {
    resampler.reset();
    let mut out = Vec::with_capacity(piece.skip + piece.keep.unwrap_or(0) + SINC_LEN);
    resampler.push(&piece.input, &mut out)?;
    resampler.finish(&mut out)?;
    let end = piece.keep.map_or(out.len(), |keep| piece.skip + keep);
    Ok(out[piece.skip.min(out.len())..end.min(out.len())].to_vec())
}

/// Pieces' outputs in the order they arrive, appended to the output in the stream's order.
struct Joiner<'a> {
    out: &'a mut Vec<f32>,
    next: usize,
    waiting: BTreeMap<usize, Vec<f32>>,
}

impl Joiner<'_> {
    fn add(&mut self, (index, result): (usize, Result<Vec<f32>>)) -> Result<()> {
        self.waiting.insert(index, result?);
        while let Some(samples) = self.waiting.remove(&self.next) {
            self.out.extend_from_slice(&samples);
            self.next += 1;
        }
        Ok(())
    }
}

/// Resamples by the whole-number `factor` (see `decimate::whole_factor`) on `threads` threads what
/// `feed` pushes, appending to `out` exactly what one [`StreamResampler`] would. `feed` is called
/// once, with the function that takes each next run of input samples.
pub fn resample_in_pieces(
    factor: usize,
    to: u32,
    threads: usize,
    out: &mut Vec<f32>,
    feed: impl FnOnce(&mut dyn FnMut(&[f32]) -> Result<()>) -> Result<()>,
) -> Result<()> {
    let from = to * factor as u32;
    let threads = threads.max(1);
    let (jobs, queue) = mpsc::sync_channel::<Piece>(threads);
    let queue = Mutex::new(queue);
    let (done, results) = mpsc::channel::<(usize, Result<Vec<f32>>)>();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (queue, done) = (&queue, done.clone());
                scope.spawn(move || {
                    let mut resampler = StreamResampler::new(from, to);
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(piece) = next else { return };
                        let result = match resampler.as_mut() {
                            Ok(r) => resample_piece(r, &piece),
                            Err(e) => Err(crate::Error::Resample(e.to_string())),
                        };
                        if done.send((piece.index, result)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(done);
        let mut joiner = Joiner {
            out,
            next: 0,
            waiting: BTreeMap::new(),
        };
        let mut cutter = Cutter::new(factor);
        let mut fed = feed(&mut |input| {
            cutter.push(input, |piece| {
                jobs.send(piece)
                    .map_err(|_| crate::Error::Resample("a resampling thread stopped".into()))
            })?;
            results.try_iter().try_for_each(|r| joiner.add(r))
        });
        if fed.is_ok() {
            fed = jobs
                .send(cutter.finish())
                .map_err(|_| crate::Error::Resample("a resampling thread stopped".into()));
        }
        drop(jobs);
        let joined = results.iter().try_for_each(|r| joiner.add(r));
        // Joined explicitly: the scope's own join returns before each thread's thread-local
        // destructors have run, which the fuzzer's leak check reported as a leak of the
        // channel's per-thread context.
        crate::parallel::join_all(workers);
        fed.and(joined)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::decimate::whole_factor;
    use crate::audio::resample;

    /// A chirp with a little noise: every output depends on its own inputs.
    fn signal(len: usize) -> Vec<f32> {
        let mut state = 1u32;
        (0..len)
            .map(|i| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let t = i as f32 / 48_000.0;
                0.5 * (t * (300.0 + 900.0 * t)).sin() + (state >> 8) as f32 / 16_777_216.0 * 0.01
            })
            .collect()
    }

    #[test]
    fn pieces_join_into_one_resamplers_samples_bit_for_bit() {
        let factor = 3;
        for len in [
            0,
            1,
            1000,
            factor * PIECE_OUTPUTS,
            factor * PIECE_OUTPUTS + factor * SINC_LEN,
            2 * factor * PIECE_OUTPUTS + 12_345,
        ] {
            let input = signal(len);
            let expected = resample(input.clone(), 48_000, 16_000).unwrap();
            for threads in [1, 2, 3] {
                let mut out = Vec::new();
                resample_in_pieces(factor, 16_000, threads, &mut out, |push| {
                    input.chunks(50_000).try_for_each(push)
                })
                .unwrap();
                assert_eq!(
                    out.len(),
                    expected.len(),
                    "{len} samples, {threads} threads"
                );
                assert!(out == expected, "{len} samples, {threads} threads");
            }
        }
    }

    #[test]
    fn a_feeding_error_is_returned_and_nothing_hangs() {
        let input = signal(3 * 3 * PIECE_OUTPUTS);
        let mut out = Vec::new();
        let mut calls = 0;
        let result = resample_in_pieces(3, 16_000, 2, &mut out, |push| {
            for chunk in input.chunks(100_000) {
                calls += 1;
                push(chunk)?;
                if calls == 5 {
                    return Err(crate::Error::NoSamples);
                }
            }
            Ok(())
        });
        assert!(matches!(result, Err(crate::Error::NoSamples)));
    }

    #[test]
    fn only_whole_number_ratios_are_cut() {
        assert_eq!(whole_factor(48_000, 16_000), Some(3));
        assert_eq!(whole_factor(96_000, 16_000), Some(6));
        assert_eq!(whole_factor(44_100, 16_000), None);
        assert_eq!(whole_factor(16_000, 16_000), None);
        assert_eq!(whole_factor(8_000, 16_000), None);
        assert_eq!(whole_factor(48_000, 0), None);
    }
}

//! One long signal's frames shared between threads, for the native `features` command and
//! library calls on a single long recording (`predict` and training already keep every core busy
//! with files, windows and pieces). Every frame's values are computed exactly as on one thread,
//! and the one value that depends on the whole signal, the loudest power under the decibel
//! floor, is taken over all the parts before any is converted: the result is the same bit for
//! bit (tested).

use std::ops::Range;
use std::sync::mpsc;

use super::frame::FRAME_BLOCK;
use super::pass::Powers;
use super::{FeatureExtractor, Features, Matrix, check_samples, db, vector};
use crate::error::Result;

/// Frames each thread must have before a signal is split (about 16 s at the default 16 ms hop):
/// starting a thread costs tens of microseconds, and a 3 s clip (188 frames) ran slower on two
/// threads than on one.
pub const MIN_FRAMES_PER_THREAD: usize = 1024;

impl FeatureExtractor {
    /// [`Self::extract`] with the frames of a long signal shared among up to `threads` threads,
    /// each with at least [`MIN_FRAMES_PER_THREAD`] frames; the same values bit for bit. Each
    /// thread runs the pass over its own frames ([`super::pass`]), so that only decoding and
    /// checking the samples stay on one thread.
    pub fn extract_on(&self, samples: &[f32], threads: usize) -> Result<Features> {
        let ranges = frame_ranges(self.config.n_frames(samples.len()), threads);
        if ranges.len() <= 1 {
            return self.extract(samples);
        }
        check_samples(samples)?;
        let parts = in_two_rounds(
            &ranges,
            |frames| self.first_round(samples, frames),
            |part, floor| self.second_round(part, floor),
        );
        Ok(Features::from_parts(parts))
    }

    /// A part's mel power, ZCR and RMS, and its loudest power (for the common decibel floor).
    fn first_round(&self, samples: &[f32], frames: &Range<usize>) -> (Powers, Option<f32>) {
        vector::widest(
            #[inline(always)]
            || {
                let part = self.frame_pass(samples, frames.clone(), |_| {}, |_| {});
                let loudest = db::loudest(&part.mel.data);
                (part, loudest)
            },
        )
    }

    /// A part's features once the floor of all of them is known: decibels, then MFCCs.
    fn second_round(&self, mut part: Powers, floor: f32) -> Features {
        let mfcc = vector::widest(
            #[inline(always)]
            || {
                db::to_db_in_place(&mut part.mel.data, floor);
                self.dct.apply(&part.mel)
            },
        );
        Features {
            zcr: part.zcr,
            rms: part.rms,
            mfcc,
        }
    }
}

impl Features {
    /// The features of consecutive parts of one signal, joined frame after frame.
    fn from_parts(parts: Vec<Features>) -> Self {
        let (mut zcr, mut rms, mut mfcc) = (Vec::new(), Vec::new(), Vec::new());
        for part in parts {
            zcr.extend(part.zcr);
            rms.extend(part.rms);
            mfcc.push(part.mfcc);
        }
        Self {
            zcr,
            rms,
            mfcc: Matrix::from_column_parts(&mfcc),
        }
    }
}

/// Runs `first` on each range on a thread of its own, then, once every thread has reported its
/// loudest value, `second` with the decibel floor below the loudest of all; the results in the
/// ranges' order. A panic in any thread is raised here, after the others have stopped: a thread
/// that panics reports nothing, so the floor is never sent and the others return early.
fn in_two_rounds<P, R: Send>(
    ranges: &[Range<usize>],
    first: impl Fn(&Range<usize>) -> (P, Option<f32>) + Sync,
    second: impl Fn(P, f32) -> R + Sync,
) -> Vec<R> {
    let (tell_loudest, loudest) = mpsc::channel();
    let (tell_floor, floors): (Vec<_>, Vec<_>) = ranges.iter().map(|_| mpsc::channel()).unzip();
    let results = std::thread::scope(|scope| {
        let spawned: Vec<_> = ranges
            .iter()
            .zip(floors)
            .map(|(range, floor)| {
                let tell_loudest = tell_loudest.clone();
                let (first, second) = (&first, &second);
                scope.spawn(move || {
                    let (part, loudest) = first(range);
                    // Sent, then dropped, so that the caller knows when every part has reported.
                    tell_loudest.send(loudest).ok()?;
                    drop(tell_loudest);
                    let floor: f32 = floor.recv().ok()?;
                    Some(second(part, floor))
                })
            })
            .collect();
        drop(tell_loudest);
        let loudest: Vec<Option<f32>> = loudest.iter().collect();
        if loudest.len() == ranges.len() {
            let floor = db::floor_below(loudest.into_iter().flatten().reduce(f32::max));
            for tell in &tell_floor {
                let _ = tell.send(floor);
            }
        }
        drop(tell_floor);
        let mut results = Vec::with_capacity(spawned.len());
        for thread in spawned {
            match thread.join() {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results.into_iter().collect::<Option<Vec<_>>>()
    });
    results.expect("every part has its floor when none panicked")
}

/// Up to `threads` consecutive ranges covering `frames`, each of at least
/// [`MIN_FRAMES_PER_THREAD`] frames and, but for the last, a whole number of [`FRAME_BLOCK`]s.
/// One range when the signal is too short to split; none when it has no frames.
fn frame_ranges(frames: usize, threads: usize) -> Vec<Range<usize>> {
    let parts = threads.min(frames / MIN_FRAMES_PER_THREAD).max(1);
    let per_part = frames.div_ceil(parts).next_multiple_of(FRAME_BLOCK);
    (0..frames)
        .step_by(per_part.max(1))
        .map(|first| first..(first + per_part).min(frames))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::features::FeatureConfig;

    #[test]
    fn ranges_cover_the_frames_in_blocks_and_only_split_long_signals() {
        assert_eq!(frame_ranges(0, 2), Vec::<Range<usize>>::new());
        assert_eq!(frame_ranges(188, 2), vec![0..188]);
        assert_eq!(frame_ranges(2047, 2), vec![0..2047]);
        assert_eq!(frame_ranges(3751, 1), vec![0..3751]);
        assert_eq!(frame_ranges(3751, 2), vec![0..1888, 1888..3751]);
        let three = frame_ranges(5000, 3);
        assert_eq!(three, vec![0..1680, 1680..3360, 3360..5000]);
    }

    #[test]
    fn both_rounds_share_one_floor_and_a_panic_in_either_is_raised_without_hanging() {
        let ranges = [0..10, 10..20, 20..30];
        let results = in_two_rounds(
            &ranges,
            |range| (range.start, Some(range.start as f32)),
            |start, floor| (start, floor),
        );
        let floor = db::floor_below(Some(20.0));
        assert_eq!(results, vec![(0, floor), (10, floor), (20, floor)]);
        for (round, at) in [(1, 10), (2, 20), (1, 0)] {
            let run = std::panic::AssertUnwindSafe(|| {
                in_two_rounds(
                    &ranges,
                    |range| {
                        assert!(round != 1 || range.start != at, "round 1 at {at}");
                        (range.start, None)
                    },
                    |start, _| {
                        assert!(round != 2 || start != at, "round 2 at {at}");
                        start
                    },
                )
            });
            let panic = std::panic::catch_unwind(run).expect_err("the panic is raised");
            let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
            assert_eq!(message, format!("round {round} at {at}"));
        }
    }

    #[test]
    fn split_signals_give_one_threads_values_bit_for_bit() {
        let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
        // Speech-like: a gliding tone with bursts and silences, and an odd length, so that the
        // parts meet mid-signal and the loudest frame lies in one part only.
        let samples: Vec<f32> = (0..16_000 * 70 + 77)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                let burst = if (t * 1.3).fract() < 0.6 { 1.0 } else { 0.0 };
                let loud = if (20.0..21.0).contains(&t) { 0.9 } else { 0.2 };
                burst * loud * (t * (600.0 + 40.0 * t)).sin() + 1e-4 * ((i % 13) as f32 - 6.0)
            })
            .collect();
        let one = extractor.extract(&samples).unwrap();
        for threads in [2, 3, 4] {
            assert_eq!(
                extractor.extract_on(&samples, threads).unwrap(),
                one,
                "{threads}"
            );
        }
        let short = &samples[..16_000 * 3];
        assert_eq!(
            extractor.extract_on(short, 2).unwrap(),
            extractor.extract(short).unwrap()
        );
        let mut bad = samples;
        bad[900_000] = f32::NAN;
        bad[9] = -3e38;
        assert_eq!(extractor.extract_on(&bad, 2), extractor.extract(&bad));
        assert_eq!(extractor.extract_on(&bad, 2), Err(Error::NonFinite(1)));
    }
}

//! One long signal's frames shared between threads, for the native `features` command and
//! library calls on a single long recording (`predict` and training already keep every core busy
//! with files, windows and pieces). Every frame's values are computed exactly as on one thread,
//! and the one value that depends on the whole signal, the loudest power under the decibel
//! floor, is taken over all the parts before any is converted: the result is the same bit for
//! bit (tested). The sample check is shared too: each part counts its own disjoint share of the
//! samples, and the counts of all the parts are judged together, so bad samples give the same
//! error as on one thread.

use std::ops::Range;
use std::sync::mpsc;

use super::frame::FRAME_BLOCK;
use super::pass::Powers;
use super::{FeatureExtractor, Features, LIMITS, Matrix, count_beyond, db, judge, vector};
use crate::error::Result;

/// Frames each thread must have before a signal is split (about 16 s at the default 16 ms hop):
/// starting a thread costs tens of microseconds, and a 3 s clip (188 frames) ran slower on two
/// threads than on one.
pub const MIN_FRAMES_PER_THREAD: usize = 1024;

impl FeatureExtractor {
    /// [`Self::extract`] with the frames of a long signal shared among up to `threads` threads,
    /// each with at least [`MIN_FRAMES_PER_THREAD`] frames; the same values bit for bit, and the
    /// same error for bad samples. Each thread runs the pass over its own frames
    /// ([`super::pass`]) and checks its own share of the samples as the pass reads them, so
    /// that only decoding stays on one thread.
    pub fn extract_on(&self, samples: &[f32], threads: usize) -> Result<Features> {
        let ranges = frame_ranges(self.config.n_frames(samples.len()), threads);
        if ranges.len() <= 1 {
            return self.extract(samples);
        }
        let parts: Vec<_> = ranges
            .iter()
            .zip(self.checked_shares(&ranges, samples.len()))
            .collect();
        let parts = in_two_rounds(
            &parts,
            |(frames, share)| self.first_round(samples, frames, share.clone()),
            |scans| checked_floor(samples, &scans),
            |part, floor| self.second_round(part, floor),
        )?;
        Ok(Features::from_parts(parts))
    }

    /// The samples each part checks: from where its pass first reads new samples (see
    /// [`Self::frame_pass`]) to where the next part's does, the last to the end. Consecutive
    /// and disjoint, so that every sample is counted once.
    fn checked_shares(&self, ranges: &[Range<usize>], len: usize) -> Vec<Range<usize>> {
        let starts: Vec<usize> = ranges
            .iter()
            .map(|frames| self.first_fresh_sample(frames.start, len))
            .collect();
        let ends = starts.iter().skip(1).copied().chain([len]);
        starts.iter().zip(ends).map(|(&s, e)| s..e).collect()
    }

    /// A part's mel power, ZCR and RMS, its loudest power (for the common decibel floor) and
    /// the check's counts over `share` of the samples: the ones the pass hands over as it
    /// first reads them, then any of `share` it did not reach (between this part's last frame
    /// and the next part's first, when the hop is longer than a frame).
    fn first_round(
        &self,
        samples: &[f32],
        frames: &Range<usize>,
        share: Range<usize>,
    ) -> (Powers, Scan) {
        vector::widest(
            #[inline(always)]
            || {
                let (mut counts, mut at) = ([0; 2], share.start);
                let fresh = |run: &[f32]| {
                    let mine = &run[..run.len().min(share.end.saturating_sub(at))];
                    at += run.len();
                    add_counts(&mut counts, mine);
                };
                let part = self.frame_pass(samples, frames.clone(), fresh, |_| {});
                add_counts(&mut counts, &samples[at.min(share.end)..share.end]);
                let loudest = db::loudest(&part.mel.data);
                (part, Scan { loudest, counts })
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

/// The decibel floor under the loudest power of all the parts, once the samples have passed
/// the check ([`judge`]) on the counts of all the parts.
fn checked_floor(samples: &[f32], scans: &[Scan]) -> Result<f32> {
    let counts = scans.iter().fold([0, 0], |[a, b], scan| {
        [a + scan.counts[0], b + scan.counts[1]]
    });
    judge(samples, counts)?;
    let loudest = scans
        .iter()
        .filter_map(|scan| scan.loudest)
        .reduce(f32::max);
    Ok(db::floor_below(loudest))
}

/// Adds [`count_beyond`]'s counts over `run` to `counts`.
#[inline(always)]
fn add_counts(counts: &mut [usize; 2], run: &[f32]) {
    let [non_finite, beyond] = count_beyond(run, LIMITS);
    counts[0] += non_finite;
    counts[1] += beyond;
}

/// What a part's first round reports.
struct Scan {
    /// The part's loudest mel power.
    loudest: Option<f32>,
    /// [`count_beyond`]'s counts over the part's share of the samples.
    counts: [usize; 2],
}

/// Runs `first` on each item, the first on the caller's thread and each other on a thread of its
/// own; once every item has reported, `settle` turns the reports (in any order) into the
/// decibel floor, or an error that ends the work there; then `second` with that floor. The
/// results in the items' order. A panic in any thread is raised here, after the others have
/// stopped: a thread that panics reports nothing, so the floor is never sent (its senders are
/// dropped, even as a panic on the caller's thread unwinds) and the others return early.
fn in_two_rounds<T: Sync, P, S: Send, R: Send>(
    items: &[T],
    first: impl Fn(&T) -> (P, S) + Sync,
    settle: impl FnOnce(Vec<S>) -> Result<f32>,
    second: impl Fn(P, f32) -> R + Sync,
) -> Result<Vec<R>> {
    let Some((own, others)) = items.split_first() else {
        return Ok(Vec::new());
    };
    std::thread::scope(|scope| {
        let (tell_report, reports) = mpsc::channel();
        let mut tell_floor = Vec::with_capacity(others.len());
        let spawned: Vec<_> = others
            .iter()
            .map(|item| {
                let (tell, floor) = mpsc::channel();
                tell_floor.push(tell);
                let tell_report = tell_report.clone();
                let (first, second) = (&first, &second);
                scope.spawn(move || {
                    let (part, report) = first(item);
                    // Sent, then dropped, so that the caller knows when every part has reported.
                    tell_report.send(report).ok()?;
                    drop(tell_report);
                    let floor: f32 = floor.recv().ok()?;
                    Some(second(part, floor))
                })
            })
            .collect();
        drop(tell_report);
        let (part, report) = first(own);
        let reports: Vec<S> = std::iter::once(report).chain(reports.iter()).collect();
        let settled = (reports.len() == items.len()).then(|| settle(reports));
        let floor = settled.as_ref().and_then(|s| s.as_ref().ok().copied());
        if let Some(floor) = floor {
            for tell in &tell_floor {
                let _ = tell.send(floor);
            }
        }
        drop(tell_floor);
        let mut results = vec![floor.map(|floor| second(part, floor))];
        results.extend(crate::parallel::join_all(spawned));
        settled.expect("a part that reports nothing has panicked")?;
        Ok(results
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .expect("every part has its floor when none panicked and the samples passed"))
    })
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
        let settle = |loudest: Vec<Option<f32>>| {
            Ok(db::floor_below(
                loudest.into_iter().flatten().reduce(f32::max),
            ))
        };
        let results = in_two_rounds(
            &ranges,
            |range| (range.start, Some(range.start as f32)),
            settle,
            |start, floor| (start, floor),
        );
        let floor = db::floor_below(Some(20.0));
        assert_eq!(results, Ok(vec![(0, floor), (10, floor), (20, floor)]));
        for (round, at) in [(1, 10), (2, 20), (1, 0), (2, 0)] {
            let run = std::panic::AssertUnwindSafe(|| {
                in_two_rounds(
                    &ranges,
                    |range| {
                        assert!(round != 1 || range.start != at, "round 1 at {at}");
                        (range.start, None)
                    },
                    settle,
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
    fn an_error_from_the_reports_ends_the_work_before_the_second_round() {
        let ranges = [0..10, 10..20, 20..30];
        let results = in_two_rounds(
            &ranges,
            |range| (range.start, range.start),
            |starts| Err(Error::NonFinite(starts.iter().sum())),
            |_, _| -> () { panic!("no second round after an error") },
        );
        assert_eq!(results, Err(Error::NonFinite(30)));
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
        // Part 0's last block and part 1's first both read samples 560,896-561,151 (the second
        // part starts at frame 2192): a NaN there is counted once.
        bad[561_000] = f32::NAN;
        assert_eq!(extractor.extract_on(&bad, 2), Err(Error::NonFinite(2)));
        assert_eq!(extractor.extract(&bad), Err(Error::NonFinite(2)));
    }

    #[test]
    fn samples_between_the_parts_frames_are_checked_when_the_hop_is_longer_than_a_frame() {
        let config = FeatureConfig {
            hop_length: 1000,
            ..FeatureConfig::default()
        };
        let extractor = FeatureExtractor::new(config).unwrap();
        let mut samples: Vec<f32> = (0..2_200_000).map(|i| (i as f32 * 0.01).sin()).collect();
        assert_eq!(
            extractor.extract_on(&samples, 2),
            extractor.extract(&samples)
        );
        // 2201 frames: part 1 starts at frame 1104, so part 0's last frame ends at 1,103,256
        // and part 1's share starts at 1,103,744; no pass reads the samples between.
        samples[1_103_500] = f32::INFINITY;
        assert_eq!(extractor.extract_on(&samples, 2), Err(Error::NonFinite(1)));
        assert_eq!(extractor.extract(&samples), Err(Error::NonFinite(1)));
    }
}

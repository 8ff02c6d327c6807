//! `predict --standardise-set`: the files given, taken as one set of recordings from one source
//! (a corpus, a microphone, a room), standardised by their own statistics instead of the
//! training set's. Nested leave-one-corpus-out validated it on whole unheard corpora (README);
//! a lone recording has no set and is answered as trained.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use speech_emotion::Classifier;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::features::Matrix;
use speech_emotion::parallel::map_in_order;

use crate::adaptation::SetStatistics;

/// The statistics taken from the set: the way nested leave-one-corpus-out validated.
pub const STATISTICS: SetStatistics = SetStatistics::MeanAndStd;

/// Speech windows a set needs (a window is 2 s, about one or two per acted clip). Nested (d)
/// validated whole corpora; random sets of 25 held-out clips (about 30-60 windows) did as well
/// on the test side, which may not decide it (README).
pub const MIN_SET_WINDOWS: usize = 100;

/// `classifier` standardising by the statistics of the speech windows of `files` (files that
/// cannot be read are left out here and reported when they are classified).
pub fn standardised_by(
    classifier: Classifier,
    files: &[PathBuf],
    max_seconds: f64,
    threads: usize,
) -> Result<Classifier, String> {
    let windows = speech_windows(&classifier, files, max_seconds, threads);
    if windows.len() < MIN_SET_WINDOWS {
        return Err(format!(
            "--standardise-set needs at least {MIN_SET_WINDOWS} speech windows (about 50-100 \
             short clips of one source); the {} files given hold {}",
            files.len(),
            windows.len()
        ));
    }
    let normalization = STATISTICS.adapt(&classifier.metadata().normalization, &windows);
    eprintln!(
        "standardised by the set's own statistics: {} speech windows of {} files",
        windows.len(),
        files.len()
    );
    classifier
        .with_normalization(normalization)
        .map_err(|e| e.to_string())
}

/// The raw inputs of every speech window of every readable file, decoded on `threads` threads.
fn speech_windows(
    classifier: &Classifier,
    files: &[PathBuf],
    max_seconds: f64,
    threads: usize,
) -> Vec<Matrix> {
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template(
            "set statistics {bar:40} {pos}/{len} files [{elapsed} < {eta}]",
        )
        .expect("template"),
    );
    let per_file = map_in_order(files, threads, |_, path| {
        let options = DecodeOptions {
            max_duration_s: max_seconds,
        };
        let windows = load_file(path, classifier.sample_rate(), options)
            .and_then(|(audio, _)| classifier.speech_inputs(&audio.samples));
        bar.inc(1);
        windows
    });
    bar.finish_and_clear();
    per_file
        .into_iter()
        .filter_map(Result::ok)
        .flatten()
        .collect()
}

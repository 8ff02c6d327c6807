//! `predict --standardise-set`: the files given, taken as one set of recordings from one source
//! (a corpus, a microphone, a room), standardised by their own statistics instead of the
//! training set's ([`speech_emotion::set`]). Nested leave-one-corpus-out validated it on whole
//! unheard corpora (README); a lone recording has no set and is answered as trained.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use speech_emotion::Classifier;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::parallel::for_each_in_order;
use speech_emotion::set::SetMeasure;

/// `classifier` standardising by the statistics of the speech windows of `files`, measured on
/// `threads` threads (files that cannot be read are left out here and reported when they are
/// classified).
pub fn standardised_by(
    classifier: &Classifier,
    files: &[PathBuf],
    max_seconds: f64,
    threads: usize,
) -> Result<Classifier, String> {
    let set = measure(classifier, files, max_seconds, threads);
    let standardised = set
        .standardise(classifier)
        .map_err(|e| format!("--standardise-set: {e} (in {} files)", files.len()))?;
    eprintln!(
        "standardised by the set's own statistics: {} speech windows of {} files",
        set.windows(),
        files.len()
    );
    Ok(standardised)
}

/// The statistics of every speech window of every readable file, each file decoded on one of
/// `threads` threads and added as soon as it is ready.
fn measure(
    classifier: &Classifier,
    files: &[PathBuf],
    max_seconds: f64,
    threads: usize,
) -> SetMeasure {
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template(
            "set statistics {bar:40} {pos}/{len} files [{elapsed} < {eta}]",
        )
        .expect("template"),
    );
    let mut set = SetMeasure::new(classifier);
    let options = DecodeOptions {
        max_duration_s: max_seconds,
    };
    for_each_in_order(
        files,
        threads,
        |_, path| {
            load_file(path, classifier.sample_rate(), options)
                .and_then(|(audio, _)| classifier.speech_inputs(&audio.samples))
        },
        |_, inputs| {
            if let Ok(inputs) = inputs {
                set.add_inputs(&inputs);
            }
            bar.inc(1);
        },
    );
    bar.finish_and_clear();
    set
}

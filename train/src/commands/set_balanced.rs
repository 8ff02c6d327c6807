//! `predict --balance-set`: the files given, taken as one set of recordings from one source,
//! answered by each file's lead over the set's mean answer instead of the answer alone
//! ([`speech_emotion::set::balance_answers`]). Every file is classified before any is printed,
//! since each answer depends on all of them; a set too small is answered as trained, and said so.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use speech_emotion::parallel::for_each_in_order;
use speech_emotion::prediction::Prediction;
use speech_emotion::{Classifier, Result};

/// Every file classified by `classify` on `threads` threads (in the order given), then the
/// answers of those with speech balanced over the set. Returns the results and whether they
/// were balanced: a set under the minimum is left as trained, with a notice on stderr.
pub fn classify_balanced(
    classifier: &Classifier,
    files: &[PathBuf],
    threads: usize,
    classify: impl Fn(&PathBuf) -> Result<Prediction> + Sync,
) -> (Vec<Result<Prediction>>, bool) {
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("classify {bar:40} {pos}/{len} files [{elapsed} < {eta}]")
            .expect("template"),
    );
    let mut results = Vec::with_capacity(files.len());
    for_each_in_order(
        files,
        threads,
        |_, path| classify(path),
        |_, result| {
            results.push(result);
            bar.inc(1);
        },
    );
    bar.finish_and_clear();
    let mut answered: Vec<&mut Prediction> =
        results.iter_mut().filter_map(|r| r.as_mut().ok()).collect();
    let balanced = match speech_emotion::set::balance_answers(classifier, &mut answered) {
        Ok(n) => {
            eprintln!(
                "balanced over the set: {n} files with speech of {}",
                files.len()
            );
            true
        }
        Err(e) => {
            eprintln!("--balance-set: {e}; each file is answered on its own, as trained");
            false
        }
    };
    (results, balanced)
}

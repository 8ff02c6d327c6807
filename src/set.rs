//! A set of recordings from one source (a corpus, a microphone, a room) answered together:
//! standardised by its own mean and deviation instead of the training set's, as corpus
//! normalisation does at test time (Schuller et al. 2010), or its answers balanced by dividing
//! out the set's mean answer (Zhou et al. 2024). Nested leave-one-corpus-out validated both on
//! corpora never heard (README): each answer then depends on the set, so both are opt-in
//! (`predict --standardise-set` or `--balance-set`, and the page's "one source" boxes), and a
//! lone recording is answered as trained.

use crate::classifier::Classifier;
use crate::emotion::Emotion;
use crate::error::{Error, Result};
use crate::features::Matrix;
use crate::input::NormalizationFit;
use crate::prediction::{Prediction, Probabilities};

/// Speech windows a set needs (a window is 2 s: one or two per acted clip, so about 12-25
/// clips). Nested leave-one-corpus-out validated it: random sets of 25 clips (31-58 windows)
/// scored above the training set's statistics in all five outer folds (README).
pub const MIN_SET_WINDOWS: usize = 30;

/// The statistics of a set measured one recording at a time, so that a set of any size is
/// never held in memory: the browser adds each file as it is read, `predict` as it is decoded.
#[derive(Debug, Clone)]
pub struct SetMeasure {
    fit: NormalizationFit,
    recordings: usize,
}

impl SetMeasure {
    /// An empty set for `classifier`'s inputs, centred per window as it centres them.
    pub fn new(classifier: &Classifier) -> Self {
        let trained = &classifier.metadata().normalization;
        Self {
            fit: NormalizationFit::like(trained),
            recordings: 0,
        }
    }

    /// Adds the speech windows of one recording (mono samples at the model's rate): the
    /// windows the classifier answers. Returns how many it held; a recording that fails adds
    /// nothing.
    pub fn add(&mut self, classifier: &Classifier, samples: &[f32]) -> Result<usize> {
        Ok(self.add_inputs(&classifier.speech_inputs(samples)?))
    }

    /// Adds one recording's raw speech inputs ([`Classifier::speech_inputs`], computed
    /// elsewhere, e.g. on another thread). Returns how many there were.
    pub fn add_inputs(&mut self, inputs: &[Matrix]) -> usize {
        for m in inputs {
            self.fit.add(m);
        }
        self.recordings += 1;
        inputs.len()
    }

    /// Speech windows added so far.
    pub fn windows(&self) -> usize {
        self.fit.windows()
    }

    /// Recordings added so far.
    pub fn recordings(&self) -> usize {
        self.recordings
    }

    /// `classifier`'s network standardising by this set's statistics, or
    /// [`Error::SetTooSmall`] below [`MIN_SET_WINDOWS`].
    pub fn standardise(&self, classifier: &Classifier) -> Result<Classifier> {
        if self.windows() < MIN_SET_WINDOWS {
            return Err(Error::SetTooSmall {
                windows: self.windows(),
                needed: MIN_SET_WINDOWS,
            });
        }
        classifier.with_normalization(self.fit.finish())
    }
}

/// Recordings with speech a set needs before its answers are balanced ([`balance_answers`]):
/// nested leave-one-corpus-out measured random sets of 25 clips (README).
pub const MIN_BALANCE_RECORDINGS: usize = 25;

/// Each recording's probabilities divided by the set's mean probabilities, then summed to one:
/// batch calibration (Zhou et al. 2024). A set from one unheard source whose answers lean onto
/// one class (neutral, fear) is then answered by each recording's lead over the set. Nested
/// leave-one-corpus-out validated it on unheard corpora (README). Like standardising, each
/// answer depends on the set, and a class no recording of the set carries can still win. Give
/// the probabilities of recordings with speech only.
pub fn balance(set: &[Probabilities]) -> Vec<Probabilities> {
    let prior = Probabilities::mean(set);
    set.iter()
        .map(|p| {
            let divided: [f32; Emotion::COUNT] =
                std::array::from_fn(|k| p.0[k] / prior.0[k].max(f32::MIN_POSITIVE));
            let sum: f32 = divided.iter().sum();
            Probabilities(if sum > 0.0 {
                divided.map(|v| v / sum)
            } else {
                p.0
            })
        })
        .collect()
}

/// The answers of a set of recordings from one source, each answered again from its
/// probabilities [`balance`]d over the set's recordings with speech (those without speech, and
/// every timeline, are left as they were). Returns how many were balanced, or
/// [`Error::SetTooSmallToBalance`] under [`MIN_BALANCE_RECORDINGS`], changing nothing.
pub fn balance_answers(classifier: &Classifier, answers: &mut [&mut Prediction]) -> Result<usize> {
    let mut speech: Vec<&mut &mut Prediction> =
        answers.iter_mut().filter(|p| p.emotion.is_some()).collect();
    if speech.len() < MIN_BALANCE_RECORDINGS {
        return Err(Error::SetTooSmallToBalance {
            recordings: speech.len(),
            needed: MIN_BALANCE_RECORDINGS,
        });
    }
    let probabilities: Vec<Probabilities> = speech.iter().map(|p| p.probabilities).collect();
    for (p, balanced) in speech.iter_mut().zip(balance(&probabilities)) {
        p.answer_from(balanced, |q| classifier.unsure(q));
    }
    Ok(speech.len())
}

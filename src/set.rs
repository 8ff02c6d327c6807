//! A set of recordings from one source (a corpus, a microphone, a room) standardised by its own
//! mean and deviation instead of the training set's, as corpus normalisation does at test time
//! (Schuller et al. 2010). Nested leave-one-corpus-out chose it for whole corpora never heard
//! (README): each answer then depends on the set, so it is opt-in (`predict --standardise-set`
//! and the page's "one source" box), and a lone recording is answered as trained.

use crate::classifier::Classifier;
use crate::error::{Error, Result};
use crate::features::Matrix;
use crate::input::NormalizationFit;

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

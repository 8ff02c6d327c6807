//! Training networks: the configuration, the windows, the scores early stopping and the choice
//! of configuration use; `fit` trains one network, `jobs` several at once on every core;
//! seeded, so that a run can be reproduced.

mod average;
mod batch;
mod distil;
mod fit;
mod jobs;
mod risk;
mod sampling;

use std::collections::BTreeMap;

use serde::Serialize;
use speech_emotion::Emotion;
use speech_emotion::classifier::{batch_probabilities, cpu};
use speech_emotion::features::Matrix;
use speech_emotion::input::Normalization;
use speech_emotion::model::{EmotionCnn, Ensemble};

use crate::augment::masking::Masks;
use crate::corpus::Corpus;
use crate::metrics::Report;

pub use jobs::{Job, train_jobs};

/// Hyper-parameters of one training run.
#[derive(Debug, Clone, Serialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f32,
    /// Epochs without a better validation score before stopping.
    pub patience: usize,
    pub seed: u64,
    /// Largest move of the log-mel bands (rows from `bands_from` on), drawn per window and
    /// epoch; 0 leaves the inputs as they are.
    pub band_shift: usize,
    /// First row of the spectral bands.
    pub bands_from: usize,
    /// Every corpus drawn equally often in an epoch (else every clip once).
    pub balance_corpora: bool,
    /// Draws per epoch when balancing, spread equally over the corpora.
    pub epoch_size: usize,
    /// The loss of a clip only over the classes its corpus records.
    pub mask_absent_classes: bool,
    /// Strength of the corpus adversary's reversed gradient (0: no adversary); see
    /// [`crate::adversary`].
    pub adversarial_weight: f32,
    /// Largest share of a mixup partner in a window (0: no mixup); see [`crate::augment::mixup`].
    pub mixup: f32,
    /// Chance per batch and place that the feature maps' statistics are mixed between windows
    /// (0: no MixStyle); see [`crate::augment::style`].
    pub mix_style: f32,
    /// Share of each target spread evenly over the classes the window may have (0: none).
    pub label_smoothing: f32,
    /// Weight of the variance of the corpora's mean losses in each batch's loss, ramped up
    /// over training (0: the plain loss); see `risk`.
    pub risk_variance: f32,
    /// SpecAugment's band and frame masks (off by default); see [`crate::augment::masking`].
    pub masks: Masks,
    /// Weight averaging: the network is the mean of its epochs from this share of the epochs on
    /// (`None`: the best validation epoch's); see `average`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_from: Option<f64>,
    /// Classes a corpus records but is not taught from: its training clips of that class are
    /// set aside and its other windows' loss leaves the class out (empty: every class taught).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub untaught: Vec<(Corpus, Emotion)>,
    /// Distillation: each run first trains teacher networks, then its networks learn from their
    /// averaged probabilities as well as from the labels (`None`: from the labels alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distil: Option<Distil>,
}

/// How a run distils (see `distil`): its teachers and the weight of their answer in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distil {
    /// Teacher networks per run, seeded from the run's seed plus [`Distil::SEED_OFFSET`].
    pub teachers: usize,
    /// Share of the loss taken against the teachers' mean probabilities (the rest: the labels).
    pub weight: f32,
}

impl Distil {
    /// Teachers' seeds start this far from the run's seed, apart from its own networks' seeds.
    pub const SEED_OFFSET: u64 = 100;
}

impl TrainConfig {
    /// Whether a training window of `corpus` takes part in the loss of `emotion`: the corpus
    /// records it (when absent classes are masked) and is not told to leave it untaught.
    pub fn teaches(&self, corpus: Corpus, emotion: Emotion) -> bool {
        (!self.mask_absent_classes || corpus.classes().contains(&emotion))
            && !self.untaught.contains(&(corpus, emotion))
    }
}

/// How training windows are standardised as batches are made.
#[derive(Debug, Clone, Copy)]
pub enum Standardisation<'d> {
    /// Every window by the training set's statistics (the shipped model's).
    Global(&'d Normalization),
    /// Each corpus's windows by that corpus's own statistics (corpus normalisation), the
    /// training set's for a corpus without its own.
    PerCorpus {
        by_corpus: &'d BTreeMap<Corpus, Normalization>,
        fallback: &'d Normalization,
    },
}

impl<'d> Standardisation<'d> {
    /// The normalisation of a window of `corpus`.
    pub fn of(self, corpus: Corpus) -> &'d Normalization {
        match self {
            Self::Global(n) => n,
            Self::PerCorpus {
                by_corpus,
                fallback,
            } => by_corpus.get(&corpus).unwrap_or(fallback),
        }
    }
}

/// An input with its class; `group` ties the windows and copies of one clip. Training inputs are
/// normalised as batches are made (see [`Job::normalization`]), validation inputs beforehand.
pub struct Sample<'a> {
    pub input: &'a Matrix,
    pub label: Emotion,
    pub group: usize,
    pub corpus: Corpus,
}

/// Loss and scores per epoch.
#[derive(Debug, Clone, Serialize)]
pub struct Epoch {
    pub epoch: usize,
    pub learning_rate: f64,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub valid_accuracy: f64,
    pub valid_macro_f1: f64,
    /// Mean over the validation corpora of each one's UAR: the early-stopping score.
    pub valid_uar: f64,
}

/// A model on validation windows: the mean over corpora of each one's UAR (the figure early
/// stopping and the choice of configuration use) and the report over all windows together.
pub fn validation_scores(
    model: &Ensemble,
    valid: &[Sample],
) -> speech_emotion::Result<(f64, Report)> {
    let inputs: Vec<&Matrix> = valid.iter().map(|s| s.input).collect();
    let predicted: Vec<Emotion> = batch_probabilities(model, &inputs, &cpu())?
        .iter()
        .map(|p| p.top().0)
        .collect();
    let uar = mean_corpus_uar(
        valid
            .iter()
            .zip(&predicted)
            .map(|(s, &p)| (s.corpus, s.label, p)),
    );
    let pairs: Vec<(Emotion, Emotion)> = valid
        .iter()
        .zip(&predicted)
        .map(|(s, &p)| (s.label, p))
        .collect();
    Ok((uar, Report::new(&pairs)))
}

/// Mean over corpora of the UAR of `(corpus, truth, predicted)` triples.
pub fn mean_corpus_uar(triples: impl IntoIterator<Item = (Corpus, Emotion, Emotion)>) -> f64 {
    let mut per: BTreeMap<Corpus, Vec<(Emotion, Emotion)>> = BTreeMap::new();
    for (corpus, truth, predicted) in triples {
        per.entry(corpus).or_default().push((truth, predicted));
    }
    per.values().map(|p| Report::new(p).uar).sum::<f64>() / per.len().max(1) as f64
}

/// A trained network (of its best validation epoch) and its history.
pub type Trained = (EmotionCnn, Vec<Epoch>);

#[cfg(test)]
pub(crate) mod fixtures {
    //! Small windows and a quick configuration for the training tests.

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// A 6 x 16 window of noise with one row raised by the class.
    pub fn matrix(seed: u64, label: Emotion) -> Matrix {
        let mut rng = StdRng::seed_from_u64(seed);
        let (rows, cols) = (6, 16);
        let data = (0..rows * cols)
            .map(|i| {
                rng.random_range(-1.0f32..1.0) + (i % rows == label.index() % rows) as u8 as f32
            })
            .collect();
        Matrix { rows, cols, data }
    }

    /// Two epochs of balanced, masked batches of 8.
    pub fn config(seed: u64) -> TrainConfig {
        TrainConfig {
            epochs: 2,
            batch_size: 8,
            learning_rate: 1e-2,
            weight_decay: 1e-4,
            patience: 4,
            seed,
            band_shift: 1,
            bands_from: 2,
            balance_corpora: true,
            epoch_size: 100,
            mask_absent_classes: true,
            adversarial_weight: 0.0,
            mixup: 0.0,
            mix_style: 0.0,
            masks: Masks::default(),
            label_smoothing: 0.0,
            risk_variance: 0.0,
            average_from: None,
            untaught: Vec::new(),
            distil: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_untaught_class_leaves_only_its_own_corpus() {
        use Emotion::*;
        let config = TrainConfig {
            untaught: vec![(Corpus::Ased, Sad)],
            ..fixtures::config(1)
        };
        assert!(!config.teaches(Corpus::Ased, Sad));
        assert!(config.teaches(Corpus::Ased, Fear));
        assert!(config.teaches(Corpus::Tess, Sad));
        assert!(!config.teaches(Corpus::Ased, Disgust));
        let unmasked = TrainConfig {
            mask_absent_classes: false,
            ..config
        };
        assert!(unmasked.teaches(Corpus::Ased, Disgust));
        assert!(!unmasked.teaches(Corpus::Ased, Sad));
    }

    #[test]
    fn mean_corpus_uar_weighs_corpora_equally() {
        use Emotion::*;
        let triples = [
            (Corpus::Tess, Sad, Sad),
            (Corpus::Tess, Sad, Sad),
            (Corpus::Tess, Happy, Happy),
            (Corpus::Ased, Sad, Happy),
        ];
        assert_eq!(mean_corpus_uar(triples), 0.5);
    }

    #[test]
    fn corpus_normalisation_standardises_each_corpus_by_its_own_statistics() {
        let window = |offset: f32| Matrix {
            rows: 1,
            cols: 3,
            data: vec![offset, offset + 1.0, offset + 2.0],
        };
        let (loud, soft) = (window(10.0), window(-4.0));
        let global = Normalization::fit([&loud, &soft], None);
        let by_corpus = BTreeMap::from([
            (Corpus::Tess, Normalization::fit([&loud], None)),
            (Corpus::Ased, Normalization::fit([&soft], None)),
        ]);
        let per = Standardisation::PerCorpus {
            by_corpus: &by_corpus,
            fallback: &global,
        };
        let standardised = |s: Standardisation, corpus, mut m: Matrix| {
            s.of(corpus).apply(&mut m);
            m.data
        };
        assert_eq!(
            standardised(per, Corpus::Tess, loud.clone()),
            standardised(per, Corpus::Ased, soft.clone()),
            "two corpora a constant apart meet"
        );
        assert_eq!(per.of(Corpus::Savee), &global, "a corpus without its own");
        let plain = Standardisation::Global(&global);
        assert_ne!(
            standardised(plain, Corpus::Tess, loud),
            standardised(plain, Corpus::Ased, soft)
        );
    }
}

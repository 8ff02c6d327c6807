//! A run's split of the clips into training, validation and test, with the normalisation fitted
//! on its training windows and the validation windows standardised once.

use std::collections::BTreeMap;

use speech_emotion::features::Matrix;
use speech_emotion::input::Normalization;

use super::Setup;
use crate::adaptation::{SetStatistics, by_corpus};
use crate::corpus::{Clip, Corpus};
use crate::protocol::{Protocol, Role, clip_roles, window_roles};
use crate::training::{Sample, Standardisation};

/// One split of the clips, with the normalised windows it trains and validates on.
pub(super) struct Split {
    pub(super) protocol: Protocol,
    pub(super) held: Option<Corpus>,
    /// Roles of clips ((a): `None`, it splits windows).
    pub(super) clip_roles: Option<Vec<Role>>,
    /// Roles of windows.
    pub(super) roles: Vec<Role>,
    pub(super) normalization: Normalization,
    /// With corpus normalisation, each training corpus's own statistics.
    pub(super) per_corpus: Option<BTreeMap<Corpus, Normalization>>,
    /// The training windows (indices of examples; normalised as batches are made).
    pub(super) train: Vec<usize>,
    /// The validation windows, normalised (with corpus normalisation, each corpus's by the
    /// statistics of its own validation windows, as a new corpus's by its own).
    pub(super) valid: Vec<(usize, Matrix)>,
}

impl Split {
    pub(super) fn new(setup: &Setup, protocol: Protocol, held: Option<Corpus>) -> Self {
        let seed = setup.train_config.seed;
        let untaught = |role: Role, clip: &Clip| {
            if role == Role::Train && !setup.train_config.teaches(clip.corpus, clip.emotion) {
                Role::Untaught
            } else {
                role
            }
        };
        let clip_roles = (protocol != Protocol::A).then(|| {
            let roles = clip_roles(protocol, setup.clips, seed, held);
            setup
                .clips
                .iter()
                .zip(roles)
                .map(|(c, r)| untaught(r, c))
                .collect::<Vec<_>>()
        });
        let roles: Vec<Role> = match &clip_roles {
            None => window_roles(setup.examples.len(), seed)
                .into_iter()
                .zip(setup.examples)
                .map(|(r, e)| untaught(r, &setup.clips[e.clip]))
                .collect(),
            Some(roles) => setup.examples.iter().map(|e| roles[e.clip]).collect(),
        };
        let normalization = Normalization::fit_scaled(
            setup
                .examples
                .iter()
                .zip(&roles)
                .filter(|(_, r)| **r == Role::Train)
                .map(|(e, _)| &e.input),
            setup.centre_from,
            setup.scale,
        )
        .dropping_frame_rows(setup.drop_frame_rows);
        let train = (0..roles.len())
            .filter(|&i| roles[i] == Role::Train)
            .collect();
        // (b)-(d) validate on the original clips only, (a) on whatever windows its split gave.
        let valid: Vec<usize> = (0..roles.len())
            .filter(|&i| {
                roles[i] == Role::Valid
                    && (protocol == Protocol::A || setup.examples[i].variant == 0)
            })
            .collect();
        let corpus_of = |i: usize| setup.clips[setup.examples[i].clip].corpus;
        let per_corpus = setup.corpus_normalisation.then(|| {
            let own = |windows: Vec<usize>| {
                let inputs = windows.iter().map(|&i| &setup.examples[i].input);
                SetStatistics::MeanAndStd.adapt(&normalization, inputs)
            };
            let training = (0..roles.len()).filter(|&i| roles[i] == Role::Train);
            (
                by_corpus(training, corpus_of, own),
                by_corpus(valid.iter().copied(), corpus_of, own),
            )
        });
        let valid = valid
            .into_iter()
            .map(|i| {
                let mut m = setup.examples[i].input.clone();
                match &per_corpus {
                    Some((_, by_corpus)) => by_corpus[&corpus_of(i)].apply(&mut m),
                    None => normalization.apply(&mut m),
                }
                (i, m)
            })
            .collect();
        Self {
            protocol,
            held,
            clip_roles,
            roles,
            normalization,
            per_corpus: per_corpus.map(|(train, _)| train),
            train,
            valid,
        }
    }

    /// How the training windows are standardised as batches are made.
    pub(super) fn standardisation(&self) -> Standardisation<'_> {
        match &self.per_corpus {
            Some(by_corpus) => Standardisation::PerCorpus {
                by_corpus,
                fallback: &self.normalization,
            },
            None => Standardisation::Global(&self.normalization),
        }
    }

    /// The training samples (raw inputs) and the validation samples (normalised).
    pub(super) fn samples<'s>(&'s self, setup: &Setup<'s>) -> (Vec<Sample<'s>>, Vec<Sample<'s>>) {
        let sample = |i: usize, input: &'s Matrix| {
            let clip = &setup.clips[setup.examples[i].clip];
            Sample {
                input,
                label: clip.emotion,
                group: setup.examples[i].clip,
                corpus: clip.corpus,
            }
        };
        (
            self.train
                .iter()
                .map(|&i| sample(i, &setup.examples[i].input))
                .collect(),
            self.valid.iter().map(|(i, m)| sample(*i, m)).collect(),
        )
    }
}

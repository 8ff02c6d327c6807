//! Set normalisation, measured: a set of recordings (one corpus's validation speakers, a corpus
//! held out) standardised by its own statistics instead of the training set's, as corpus
//! normalisation does at test time (Schuller et al. 2010, *Cross-corpus acoustic emotion
//! recognition: variances and strategies*). Nothing is retrained: protocol (d) reports it beside
//! the plain figures, to ask whether moving an unheard corpus to the training centre eases its
//! collapse onto one answer, and validation says whether it may be used. `train
//! --corpus-normalisation` trains the same way, with each corpus's statistics from
//! [`by_corpus`].

use std::collections::BTreeMap;

use serde::Serialize;
use speech_emotion::classifier::{batch_probabilities, cpu};
use speech_emotion::features::Matrix;
use speech_emotion::input::Normalization;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;
use speech_emotion::prediction::Probabilities;
use speech_emotion::{Classifier, Emotion};

use crate::balance;
use crate::corpus::{Clip, Corpus};
use crate::evaluation::evaluate_clips;
use crate::metrics::Report;
use crate::set_size::{self, ClipWindows, SizedSets};
use crate::training::mean_corpus_uar;

/// Which of a set's own statistics replace the training set's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetStatistics {
    /// The set's per-channel mean; the training deviations kept.
    Mean,
    /// The set's mean and deviation: each channel of the set has zero mean and unit variance.
    MeanAndStd,
}

impl SetStatistics {
    /// Both, in the order they are reported.
    pub const ALL: [Self; 2] = [Self::Mean, Self::MeanAndStd];

    /// The training normalisation with the set's statistics in its place (the per-window
    /// centring and scaling kept as trained).
    pub fn adapt<'a>(
        self,
        training: &Normalization,
        set: impl IntoIterator<Item = &'a Matrix>,
    ) -> Normalization {
        let own = Normalization::fit_scaled(set, training.centre_from, training.scale)
            .dropping_frame_rows(training.drop_frame_rows);
        match self {
            Self::Mean => Normalization {
                mean: own.mean,
                ..training.clone()
            },
            Self::MeanAndStd => own,
        }
    }
}

/// `statistics` of each corpus's windows: `windows` grouped by `corpus_of`.
pub fn by_corpus<T>(
    windows: impl Iterator<Item = usize>,
    corpus_of: impl Fn(usize) -> Corpus,
    statistics: impl Fn(Vec<usize>) -> T,
) -> BTreeMap<Corpus, T> {
    let mut sets: BTreeMap<Corpus, Vec<usize>> = BTreeMap::new();
    for i in windows {
        sets.entry(corpus_of(i)).or_default().push(i);
    }
    sets.into_iter()
        .map(|(corpus, set)| (corpus, statistics(set)))
        .collect()
}

/// One way of standardising, measured on a split's validation windows and test clips.
#[derive(Debug, Clone, Serialize)]
pub struct SetNormalised {
    pub statistics: SetStatistics,
    /// Mean over the validation corpora of the window UAR, each corpus's validation windows
    /// standardised by their own statistics.
    pub valid_uar: f64,
    /// The test clips, classified from their files with the statistics of all their windows.
    pub report: Report,
    /// Sets of a few dozen to a few hundred test clips, each by its own statistics (the mean
    /// and deviation only: the way nested (d) validated).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_set_size: Vec<SizedSets>,
    /// Sets of test clips that all carry one emotion, each by its own statistics (the mean
    /// and deviation only): what standardising does to a folder sorted by emotion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_emotion: Option<SizedSets>,
}

/// A validation window before normalisation: its corpus, its truth, its input.
pub type RawWindow<'a> = (Corpus, Emotion, &'a Matrix);

/// The training normalisation with a set's own `statistics` in its place, or kept (`None`).
pub fn set_normalization<'a>(
    statistics: Option<SetStatistics>,
    training: &Normalization,
    set: impl IntoIterator<Item = &'a Matrix>,
) -> Normalization {
    match statistics {
        Some(statistics) => statistics.adapt(training, set),
        None => training.clone(),
    }
}

/// Mean corpus UAR of validation windows, each corpus's windows one set: standardised by the
/// set's own `statistics` (`None`: the training statistics kept), then answered by `answer`
/// from the set's probabilities (see [`crate::balance`]).
pub fn validation_uar(
    model: &Ensemble,
    training: &Normalization,
    windows: &[RawWindow],
    statistics: Option<SetStatistics>,
    answer: fn(&[Probabilities]) -> Vec<Emotion>,
) -> speech_emotion::Result<f64> {
    let mut triples = Vec::new();
    for (corpus, set) in by_corpus(0..windows.len(), |i| windows[i].0, |set| set) {
        let normalization =
            set_normalization(statistics, training, set.iter().map(|&i| windows[i].2));
        let inputs: Vec<Matrix> = set
            .iter()
            .map(|&i| {
                let mut m = windows[i].2.clone();
                normalization.apply(&mut m);
                m
            })
            .collect();
        let refs: Vec<&Matrix> = inputs.iter().collect();
        let answers = answer(&batch_probabilities(model, &refs, &cpu())?);
        triples.extend(
            set.iter()
                .zip(answers)
                .map(|(&i, answer)| (corpus, windows[i].1, answer)),
        );
    }
    Ok(mean_corpus_uar(triples))
}

/// Both ways of standardising, each on the validation windows and on the test clips (read from
/// their files as `predict` reads them, standardised by the statistics of all their windows);
/// the mean and deviation also on `draws` random sets of the test clips per size (`seed`
/// draws them).
pub fn measure(
    model: &Ensemble,
    metadata: &ModelMetadata,
    valid: &[RawWindow],
    test: &[ClipWindows],
    draws_and_seed: (usize, u64),
) -> Result<Vec<SetNormalised>, Box<dyn std::error::Error>> {
    let test_windows = || test.iter().flat_map(|(_, w)| w.iter().copied());
    let test_clips: Vec<&Clip> = test.iter().map(|(clip, _)| *clip).collect();
    let mut out = Vec::new();
    for statistics in SetStatistics::ALL {
        let valid_uar = validation_uar(
            model,
            &metadata.normalization,
            valid,
            Some(statistics),
            balance::top,
        )?;
        let adapted = ModelMetadata {
            normalization: statistics.adapt(&metadata.normalization, test_windows()),
            ..metadata.clone()
        };
        let classifier = Classifier::from_model(model.clone(), adapted)?;
        let report = Report::new(&evaluate_clips(&classifier, &test_clips).pairs());
        eprintln!(
            "  set-normalised ({statistics:?}): validation UAR {valid_uar:.3}, test UAR {:.3}",
            report.uar
        );
        let (by_set_size, one_emotion) = match statistics {
            SetStatistics::MeanAndStd => (
                set_size::measure(model, metadata, test, statistics, draws_and_seed)?,
                set_size::one_emotion(model, metadata, test, statistics, draws_and_seed)?,
            ),
            SetStatistics::Mean => (Vec::new(), None),
        };
        out.push(SetNormalised {
            statistics,
            valid_uar,
            report,
            by_set_size,
            one_emotion,
        });
    }
    Ok(out)
}

/// The `k`-th measure of every fold that has one, with the fold's name.
pub fn kth_of_each<'a, T>(folds: &[(&'a str, &'a [T])], k: usize) -> Vec<(&'a str, &'a T)> {
    folds
        .iter()
        .filter_map(|(name, measured)| measured.get(k).map(|m| (*name, m)))
        .collect()
}

/// Over (d)'s folds, for each way of standardising: the mean validation UAR (the figure that
/// decides), the mean and lowest test UAR and the worst top answer over its true share; printed
/// and returned for the metadata.
pub fn summary(folds: &[(&str, &[SetNormalised])]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (k, statistics) in SetStatistics::ALL.into_iter().enumerate() {
        let rows = kth_of_each(folds, k);
        if rows.is_empty() {
            continue;
        }
        let n = rows.len() as f64;
        let mean_valid = rows.iter().map(|(_, m)| m.valid_uar).sum::<f64>() / n;
        let mean_uar = rows.iter().map(|(_, m)| m.report.uar).sum::<f64>() / n;
        let min_uar = rows
            .iter()
            .map(|(_, m)| m.report.uar)
            .fold(f64::INFINITY, f64::min);
        let worst = rows
            .iter()
            .map(|(_, m)| m.report.spread.ratio())
            .fold(0.0, f64::max);
        eprintln!(
            "(d) set-normalised ({statistics:?}): mean UAR {mean_uar:.3}, lowest {min_uar:.3}, worst top answer {worst:.2}x; decided on: mean validation UAR {mean_valid:.3}"
        );
        for (name, m) in &rows {
            eprintln!("  {name:<9}{}   {:.3}", m.report.row(), m.valid_uar);
        }
        let sized: Vec<&[SizedSets]> = rows.iter().map(|(_, m)| &m.by_set_size[..]).collect();
        let sized = set_size::by_size_summary(&sized);
        let one_emotion: Vec<&SizedSets> = rows
            .iter()
            .filter_map(|(_, m)| m.one_emotion.as_ref())
            .collect();
        let one_emotion = set_size::one_emotion_summary(&one_emotion);
        out.insert(
            serde_json::to_value(statistics)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            serde_json::json!({
                "mean_valid_uar": mean_valid,
                "mean_uar": mean_uar,
                "min_uar": min_uar,
                "max_spread_ratio": worst,
                "by_set_size": sized,
                "one_emotion": one_emotion,
            }),
        );
    }
    serde_json::Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(offset: f32, gain: f32) -> Matrix {
        Matrix {
            rows: 2,
            cols: 4,
            data: [1.0, 2.0, 3.0, 6.0, -1.0, 0.0, 1.0, 4.0]
                .iter()
                .map(|v| offset + gain * v)
                .collect(),
        }
    }

    #[test]
    fn a_set_standardised_by_its_own_statistics_loses_its_offset_and_gain() {
        let training = Normalization::fit([&window(0.0, 1.0)], None);
        let shifted = [window(5.0, 3.0), window(5.0, 3.0)];
        let z = SetStatistics::MeanAndStd.adapt(&training, &shifted);
        let (mut a, mut b) = (window(0.0, 1.0), shifted[0].clone());
        training.apply(&mut a);
        z.apply(&mut b);
        for (x, y) in a.data.iter().zip(&b.data) {
            assert!((x - y).abs() < 1e-5, "{a:?} against {b:?}");
        }
        let m = SetStatistics::Mean.adapt(&training, &shifted);
        assert_eq!(
            m.std, training.std,
            "mean only keeps the training deviations"
        );
        assert_ne!(m.mean, training.mean);
        let mut c = shifted[0].clone();
        m.apply(&mut c);
        let mean: f32 = c.row(0).iter().sum::<f32>() / 4.0;
        assert!(mean.abs() < 1e-5, "centred on the set: {mean}");
        assert!(
            c.row(0)
                .iter()
                .zip(a.row(0))
                .all(|(x, y)| (x - 3.0 * y).abs() < 1e-4),
            "the set's gain stays"
        );
    }
}

//! A set's own answer prior divided out, measured: batch calibration (Zhou et al. 2024, *Batch
//! calibration: rethinking calibration for in-context learning and prompt engineering*) divides
//! every answer's probabilities by the set's mean probabilities, so that the class a model
//! answers for most clips of an unheard corpus (neutral for SAVEE's and nEMO's speakers, fear
//! for ASED's) stops winning by default. Nothing is retrained and nothing ships from it:
//! protocol (d) reports it beside the plain and standardised answers of the same networks, with
//! each held-out corpus one set and each validation corpus one set.

use serde::Serialize;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;
use speech_emotion::prediction::Probabilities;
use speech_emotion::{Classifier, Emotion};

use crate::adaptation::{RawWindow, SetStatistics, kth_of_each, set_normalization, validation_uar};
use crate::among::{self, AmongClasses};
use crate::corpus::Clip;
use crate::evaluation::evaluate_clips;
use crate::metrics::Report;
use crate::set_size::{self, ClipWindows, SizedSets};

/// Each answer's top class: the plain answers.
pub fn top(set: &[Probabilities]) -> Vec<Emotion> {
    set.iter().map(|p| p.top().0).collect()
}

/// Each answer's top class once the set's mean probabilities are divided out of it.
pub fn balanced(set: &[Probabilities]) -> Vec<Emotion> {
    top(&speech_emotion::set::balance(set))
}

/// The normalisations balancing is measured under, in the order reported: the training
/// statistics kept, and each set's own mean and deviation.
pub const NORMALISATIONS: [Option<SetStatistics>; 2] = [None, Some(SetStatistics::MeanAndStd)];

/// The same networks' answers on a split's sets, plain and balanced, under one normalisation.
#[derive(Debug, Clone, Serialize)]
pub struct Balanced {
    /// The sets' own statistics standardise them (`None`: the training statistics kept).
    pub statistics: Option<SetStatistics>,
    /// Mean over the validation corpora of the window UAR, each corpus one set, balanced.
    pub valid_uar: f64,
    /// The same windows' UAR answered plainly.
    pub valid_uar_plain: f64,
    /// The held-out clips, classified from their files, balanced as one set.
    pub report: Report,
    /// The same clips answered plainly.
    pub report_plain: Report,
    /// Random sets of a few dozen to a few hundred of the held-out clips, each balanced by its
    /// own answers, beside the same sets answered plainly (training statistics only: the
    /// product option's way).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_set_size: Vec<SizedSets>,
    /// Sets of held-out clips that all carry one emotion, each balanced by its own answers
    /// (training statistics only): what balancing does to a folder sorted by emotion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_emotion: Option<SizedSets>,
    /// The held-out clips answered among the classes the corpus carries, when it lacks one
    /// (training statistics only: the product option's way).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub among: Option<AmongClasses>,
}

/// Balanced against plain answers, with the training statistics and with each set's own mean
/// and deviation, on a split's validation windows and held-out clips; with the training
/// statistics also on `draws` random sets of the held-out clips per size and on sets of one
/// emotion (the draws of [`set_size`], `seed` drawing them).
pub fn measure(
    model: &Ensemble,
    metadata: &ModelMetadata,
    valid: &[RawWindow],
    test: &[ClipWindows],
    draws_and_seed: (usize, u64),
) -> Result<Vec<Balanced>, Box<dyn std::error::Error>> {
    let test_windows = || test.iter().flat_map(|(_, w)| w.iter().copied());
    let test_clips: Vec<&Clip> = test.iter().map(|(clip, _)| *clip).collect();
    let mut out = Vec::new();
    for statistics in NORMALISATIONS {
        let training = &metadata.normalization;
        let valid_uar = validation_uar(model, training, valid, statistics, balanced)?;
        let valid_uar_plain = validation_uar(model, training, valid, statistics, top)?;
        let adapted = ModelMetadata {
            normalization: set_normalization(statistics, training, test_windows()),
            ..metadata.clone()
        };
        let classifier = Classifier::from_model(model.clone(), adapted)?;
        let answered: Vec<Answered> = evaluate_clips(&classifier, &test_clips)
            .scored
            .iter()
            .zip(test)
            .filter_map(|(s, (_, w))| s.probabilities.map(|p| (s.truth, p, w.len())))
            .collect();
        let probabilities: Vec<Probabilities> = answered.iter().map(|(_, p, _)| *p).collect();
        let pairs = |answers: Vec<Emotion>| -> Vec<(Emotion, Emotion)> {
            answered.iter().map(|(t, _, _)| *t).zip(answers).collect()
        };
        let report = Report::new(&pairs(balanced(&probabilities)));
        let report_plain = Report::new(&pairs(top(&probabilities)));
        eprintln!(
            "  balanced ({statistics:?}): validation UAR {valid_uar:.3} (plain {valid_uar_plain:.3}), test UAR {:.3} (plain {:.3})",
            report.uar, report_plain.uar
        );
        let (by_set_size, one_emotion, among) = match statistics {
            None => {
                let (by_size, one) = sized_sets(&answered, draws_and_seed);
                (by_size, one, among::measure(&classifier, &test_clips)?)
            }
            Some(_) => (Vec::new(), None, None),
        };
        out.push(Balanced {
            statistics,
            valid_uar,
            valid_uar_plain,
            report,
            report_plain,
            by_set_size,
            one_emotion,
            among,
        });
    }
    Ok(out)
}

/// A held-out clip answered: its truth, its probabilities, its speech windows.
type Answered = (Emotion, Probabilities, usize);

/// The sets [`set_size`] draws of the answered clips, each balanced by its own answers, with the
/// same sets' plain answers: by size, and of one emotion.
fn sized_sets(
    answered: &[Answered],
    (draws, seed): (usize, u64),
) -> (Vec<SizedSets>, Option<SizedSets>) {
    let (mut sized_rng, mut one_rng) = set_size::rngs(seed);
    let by_size = set_size::draw_sizes(answered.len(), draws, &mut sized_rng)
        .into_iter()
        .map(|(clips, sets)| pooled(answered, clips, &sets))
        .collect();
    let truths: Vec<Emotion> = answered.iter().map(|(t, _, _)| *t).collect();
    let one = set_size::draw_one_emotion(&truths, draws, &mut one_rng);
    let one_emotion =
        (!one.is_empty()).then(|| pooled(answered, set_size::ONE_EMOTION_CLIPS, &one));
    (by_size, one_emotion)
}

/// `sets` of the answered clips each balanced, their answers pooled beside the plain ones.
fn pooled(answered: &[Answered], clips: usize, sets: &[Vec<usize>]) -> SizedSets {
    let (mut pairs, mut plain, mut windows) = (Vec::new(), Vec::new(), 0);
    for set in sets {
        let probabilities: Vec<Probabilities> = set.iter().map(|&i| answered[i].1).collect();
        let truths = set.iter().map(|&i| answered[i].0);
        pairs.extend(truths.clone().zip(balanced(&probabilities)));
        plain.extend(truths.zip(top(&probabilities)));
        windows += set.iter().map(|&i| answered[i].2).sum::<usize>();
    }
    SizedSets {
        clips,
        draws: sets.len(),
        windows: windows as f64 / sets.len().max(1) as f64,
        report: Report::new(&pairs),
        report_plain: Some(Report::new(&plain)),
    }
}

/// Over (d)'s folds, for each normalisation: balanced against plain, the mean validation UAR,
/// the mean and lowest test UAR, the folds where balancing raised the UAR and the worst top
/// answer over its true share; printed and returned for the metadata.
pub fn summary(folds: &[(&str, &[Balanced])]) -> serde_json::Value {
    let mut out = Vec::new();
    for (k, statistics) in NORMALISATIONS.into_iter().enumerate() {
        let rows = kth_of_each(folds, k);
        if rows.is_empty() {
            continue;
        }
        let n = rows.len() as f64;
        let mean = |f: &dyn Fn(&Balanced) -> f64| rows.iter().map(|(_, m)| f(m)).sum::<f64>() / n;
        let lowest = |f: &dyn Fn(&Balanced) -> f64| {
            rows.iter().map(|(_, m)| f(m)).fold(f64::INFINITY, f64::min)
        };
        let worst =
            |f: &dyn Fn(&Balanced) -> f64| rows.iter().map(|(_, m)| f(m)).fold(0.0, f64::max);
        let raised = rows
            .iter()
            .filter(|(_, m)| m.report.uar > m.report_plain.uar)
            .count();
        let sized: Vec<&[SizedSets]> = rows.iter().map(|(_, m)| &m.by_set_size[..]).collect();
        let one: Vec<&SizedSets> = rows
            .iter()
            .filter_map(|(_, m)| m.one_emotion.as_ref())
            .collect();
        let mut entry = serde_json::json!({
            "statistics": statistics,
            "mean_valid_uar": mean(&|m| m.valid_uar),
            "mean_valid_uar_plain": mean(&|m| m.valid_uar_plain),
            "mean_uar": mean(&|m| m.report.uar),
            "mean_uar_plain": mean(&|m| m.report_plain.uar),
            "min_uar": lowest(&|m| m.report.uar),
            "min_uar_plain": lowest(&|m| m.report_plain.uar),
            "max_spread_ratio": worst(&|m| m.report.spread.ratio()),
            "max_spread_ratio_plain": worst(&|m| m.report_plain.spread.ratio()),
            "folds_raised": raised,
            "folds": rows.len(),
        });
        eprintln!(
            "(d) balanced answers ({statistics:?}): mean UAR {:.3} against {:.3} plain, raised in {raised} of {} folds; validation {:.3} against {:.3}",
            entry["mean_uar"].as_f64().unwrap_or(0.0),
            entry["mean_uar_plain"].as_f64().unwrap_or(0.0),
            rows.len(),
            entry["mean_valid_uar"].as_f64().unwrap_or(0.0),
            entry["mean_valid_uar_plain"].as_f64().unwrap_or(0.0),
        );
        for (name, m) in &rows {
            eprintln!("  {name:<9}{}   {:.3}", m.report.row(), m.valid_uar);
        }
        if !sized.iter().all(|s| s.is_empty()) {
            entry["by_set_size"] = set_size::by_size_summary(&sized).into();
        }
        if !one.is_empty() {
            entry["one_emotion"] = set_size::one_emotion_summary(&one);
        }
        let among: Vec<_> = rows
            .iter()
            .filter_map(|(name, m)| {
                let a = m.among.as_ref()?;
                Some((*name, a, &m.report_plain, &m.report))
            })
            .collect();
        if !among.is_empty() {
            entry["among"] = among::summary(&among);
        }
        out.push(entry);
    }
    serde_json::Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(values: [f32; Emotion::COUNT]) -> Probabilities {
        Probabilities(values)
    }

    #[test]
    fn a_set_leaning_on_one_class_is_answered_by_each_clip_lead_over_the_set() {
        // Every clip's top class is neutral; the second clip leans sad, the third angry,
        // more than the set does.
        let set = [
            p([0.6, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0]),
            p([0.5, 0.0, 0.4, 0.1, 0.0, 0.0, 0.0]),
            p([0.5, 0.0, 0.0, 0.4, 0.1, 0.0, 0.0]),
        ];
        assert_eq!(top(&set), vec![Emotion::Neutral; 3]);
        let answers = balanced(&set);
        assert_eq!(
            answers[1..],
            [Emotion::ALL[2], Emotion::ALL[3]],
            "{answers:?}"
        );
    }

    #[test]
    fn a_set_whose_mean_is_uniform_keeps_its_answers() {
        let set: Vec<Probabilities> = (0..Emotion::COUNT)
            .map(|k| {
                let mut v = [0.05; Emotion::COUNT];
                v[k] = 0.7;
                p(v)
            })
            .collect();
        assert_eq!(balanced(&set), top(&set));
        assert_eq!(top(&set), Emotion::ALL.to_vec());
    }

    #[test]
    fn a_class_no_clip_gives_any_probability_is_never_answered() {
        let set = [
            p([0.7, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0]),
            p([0.2, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ];
        assert_eq!(balanced(&set), top(&set));
    }
}

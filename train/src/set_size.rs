//! How small a set may be: a held-out corpus's clips drawn at random in sets of a few dozen to a
//! few hundred, each set standardised by its own mean and deviation and classified, as
//! `predict --standardise-set` would do for a folder of that size. Nested leave-one-corpus-out
//! validated the whole-corpus sets only; this measures the sets users bring, and the set they
//! are warned against: clips that all carry one emotion.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;
use speech_emotion::{Classifier, Emotion};

use crate::adaptation::SetStatistics;
use crate::corpus::Clip;
use crate::evaluation::evaluate_clips;
use crate::metrics::Report;

/// Set sizes drawn, in clips.
pub const SIZES: [usize; 4] = [25, 50, 100, 200];

/// Sets drawn per size in a full run: their answers are pooled into one report.
pub const DRAWS: usize = 8;

/// Random sets of one size, each standardised by its own statistics.
#[derive(Debug, Clone, Serialize)]
pub struct SizedSets {
    /// Clips per set.
    pub clips: usize,
    /// Sets drawn.
    pub draws: usize,
    /// Speech windows per set, on average.
    pub windows: f64,
    /// Every set's answers, pooled.
    pub report: Report,
    /// The same sets answered without the set (where the set changes only the answer rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_plain: Option<Report>,
}

/// Clips per set of one emotion (all of them when the corpus has fewer).
pub const ONE_EMOTION_CLIPS: usize = 50;

/// A clip with the raw inputs of its speech windows.
pub type ClipWindows<'a> = (&'a Clip, Vec<&'a Matrix>);

/// For each size of [`SIZES`] smaller than `n` (none when `draws` is 0): `draws` random sets
/// of that many indices out of `n`.
pub fn draw_sizes(n: usize, draws: usize, rng: &mut StdRng) -> Vec<(usize, Vec<Vec<usize>>)> {
    SIZES
        .into_iter()
        .filter(|&k| k < n && draws > 0)
        .map(|k| {
            let sets = (0..draws)
                .map(|_| rand::seq::index::sample(rng, n, k).into_vec())
                .collect();
            (k, sets)
        })
        .collect()
}

/// For each emotion among `truths`, `draws` random sets of [`ONE_EMOTION_CLIPS`] indices of its
/// clips (all of them when there are fewer), as a folder sorted by emotion would be.
pub fn draw_one_emotion(truths: &[Emotion], draws: usize, rng: &mut StdRng) -> Vec<Vec<usize>> {
    let mut sets = Vec::new();
    for emotion in Emotion::ALL {
        let of: Vec<usize> = (0..truths.len())
            .filter(|&i| truths[i] == emotion)
            .collect();
        if of.is_empty() {
            continue;
        }
        let clips = ONE_EMOTION_CLIPS.min(of.len());
        for _ in 0..draws {
            let chosen = rand::seq::index::sample(rng, of.len(), clips);
            sets.push(chosen.iter().map(|i| of[i]).collect());
        }
    }
    sets
}

/// The seeds of the two kinds of draw, so that every measure draws the same sets.
pub fn rngs(seed: u64) -> (StdRng, StdRng) {
    (
        StdRng::seed_from_u64(seed ^ 0x5E7_512E),
        StdRng::seed_from_u64(seed ^ 0x0EE3_0710),
    )
}

/// Each size of [`SIZES`] smaller than the corpus, drawn `draws` times with `seed` (none when
/// `draws` is 0).
pub fn measure(
    model: &Ensemble,
    metadata: &ModelMetadata,
    corpus: &[ClipWindows],
    statistics: SetStatistics,
    (draws, seed): (usize, u64),
) -> Result<Vec<SizedSets>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for (clips, sets) in draw_sizes(corpus.len(), draws, &mut rngs(seed).0) {
        let (mut pairs, mut windows) = (Vec::new(), 0);
        for set in &sets {
            let set: Vec<&ClipWindows> = set.iter().map(|&i| &corpus[i]).collect();
            windows += classify_set(model, metadata, &set, statistics, &mut pairs)?;
        }
        out.push(SizedSets {
            clips,
            draws,
            windows: windows as f64 / draws as f64,
            report: Report::new(&pairs),
            report_plain: None,
        });
    }
    Ok(out)
}

/// Sets whose clips all carry one emotion ([`draw_one_emotion`]), each standardised by its own
/// statistics, their answers pooled (`draws` in the report counts every set). The set's
/// statistics take away what its clips share, the emotion included: this measures the hazard
/// the page and `predict --standardise-set` warn of. `None` when `draws` is 0.
pub fn one_emotion(
    model: &Ensemble,
    metadata: &ModelMetadata,
    corpus: &[ClipWindows],
    statistics: SetStatistics,
    (draws, seed): (usize, u64),
) -> Result<Option<SizedSets>, Box<dyn std::error::Error>> {
    let truths: Vec<Emotion> = corpus.iter().map(|(c, _)| c.emotion).collect();
    let sets = draw_one_emotion(&truths, draws, &mut rngs(seed).1);
    let (mut pairs, mut windows) = (Vec::new(), 0);
    for set in &sets {
        let set: Vec<&ClipWindows> = set.iter().map(|&i| &corpus[i]).collect();
        windows += classify_set(model, metadata, &set, statistics, &mut pairs)?;
    }
    Ok((!sets.is_empty()).then(|| SizedSets {
        clips: ONE_EMOTION_CLIPS,
        draws: sets.len(),
        windows: windows as f64 / sets.len() as f64,
        report: Report::new(&pairs),
        report_plain: None,
    }))
}

/// Classifies one set's clips from their files, standardised by the set's own statistics;
/// appends the (truth, answer) pairs and returns the set's speech windows.
fn classify_set(
    model: &Ensemble,
    metadata: &ModelMetadata,
    set: &[&ClipWindows],
    statistics: SetStatistics,
    pairs: &mut Vec<(Emotion, Emotion)>,
) -> Result<usize, Box<dyn std::error::Error>> {
    let inputs: Vec<&Matrix> = set.iter().flat_map(|(_, w)| w.iter().copied()).collect();
    let windows = inputs.len();
    let adapted = ModelMetadata {
        normalization: statistics.adapt(&metadata.normalization, inputs),
        ..metadata.clone()
    };
    let classifier = Classifier::from_model(model.clone(), adapted)?;
    let clips: Vec<&Clip> = set.iter().map(|(clip, _)| *clip).collect();
    pairs.extend(evaluate_clips(&classifier, &clips).pairs());
    Ok(windows)
}

/// The mean, lowest and worst-leaning figures of a pooled report per fold, with the plain
/// answers' mean and the folds where the set raised the UAR when they were measured; as JSON
/// and as the printed line (JSON has no infinity: a top answer absent from the truth is null).
fn pooled_summary(sets: &[&SizedSets]) -> (serde_json::Value, String) {
    let n = sets.len() as f64;
    let uars = |r: &dyn Fn(&SizedSets) -> Option<&Report>| -> Vec<(f64, f64)> {
        sets.iter()
            .filter_map(|s| r(s).map(|r| (r.uar, r.spread.ratio())))
            .collect()
    };
    let answered = uars(&|s| Some(&s.report));
    let mean = answered.iter().map(|u| u.0).sum::<f64>() / n;
    let lowest = answered.iter().map(|u| u.0).fold(f64::INFINITY, f64::min);
    let worst = answered.iter().map(|u| u.1).fold(0.0, f64::max);
    let mut out = serde_json::json!({
        "corpora": sets.len(),
        "mean_uar": mean,
        "min_uar": lowest,
        "max_spread_ratio": worst,
    });
    let mut line = format!("mean UAR {mean:.3}, lowest {lowest:.3}, worst top answer {worst:.2}x");
    let plain = uars(&|s| s.report_plain.as_ref());
    if plain.len() == sets.len() {
        let raised = answered
            .iter()
            .zip(&plain)
            .filter(|(a, p)| a.0 > p.0)
            .count();
        let mean_plain = plain.iter().map(|u| u.0).sum::<f64>() / n;
        let worst_plain = plain.iter().map(|u| u.1).fold(0.0, f64::max);
        out["mean_uar_plain"] = mean_plain.into();
        out["max_spread_ratio_plain"] = worst_plain.into();
        out["folds_raised"] = raised.into();
        line += &format!(" (plain {mean_plain:.3}, {worst_plain:.2}x; raised in {raised} corpora)");
    }
    (out, line)
}

/// For each set size drawn, over the folds that drew it (corpora larger than the size): the
/// mean and lowest UAR and the worst top answer over its true share; printed and returned.
pub fn by_size_summary(folds: &[&[SizedSets]]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for clips in SIZES {
        let sets: Vec<&SizedSets> = folds
            .iter()
            .filter_map(|f| f.iter().find(|s| s.clips == clips))
            .collect();
        if sets.is_empty() {
            continue;
        }
        let (mut entry, line) = pooled_summary(&sets);
        eprintln!(
            "  sets of {clips} clips ({} drawn per corpus, {} of {} corpora): {line}",
            sets[0].draws,
            sets.len(),
            folds.len(),
        );
        entry["clips"] = clips.into();
        out.push(entry);
    }
    out
}

/// Over the folds that drew sets of one emotion: the same figures; printed and returned (null
/// when none was drawn).
pub fn one_emotion_summary(sets: &[&SizedSets]) -> serde_json::Value {
    if sets.is_empty() {
        return serde_json::Value::Null;
    }
    let (mut entry, line) = pooled_summary(sets);
    eprintln!(
        "  sets of {ONE_EMOTION_CLIPS} clips of one emotion ({} corpora): {line}",
        sets.len(),
    );
    entry["clips"] = ONE_EMOTION_CLIPS.into();
    entry
}

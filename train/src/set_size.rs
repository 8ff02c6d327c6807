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
}

/// Clips per set of one emotion (all of them when the corpus has fewer).
pub const ONE_EMOTION_CLIPS: usize = 50;

/// A clip with the raw inputs of its speech windows.
pub type ClipWindows<'a> = (&'a Clip, Vec<&'a Matrix>);

/// Each size of [`SIZES`] smaller than the corpus, drawn `draws` times with `seed` (none when
/// `draws` is 0).
pub fn measure(
    model: &Ensemble,
    metadata: &ModelMetadata,
    corpus: &[ClipWindows],
    statistics: SetStatistics,
    (draws, seed): (usize, u64),
) -> Result<Vec<SizedSets>, Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5E7_512E);
    let mut out = Vec::new();
    for clips in SIZES.into_iter().filter(|&k| k < corpus.len() && draws > 0) {
        let (mut pairs, mut windows) = (Vec::new(), 0);
        for _ in 0..draws {
            let set: Vec<&ClipWindows> = rand::seq::index::sample(&mut rng, corpus.len(), clips)
                .iter()
                .map(|i| &corpus[i])
                .collect();
            windows += classify_set(model, metadata, &set, statistics, &mut pairs)?;
        }
        out.push(SizedSets {
            clips,
            draws,
            windows: windows as f64 / draws as f64,
            report: Report::new(&pairs),
        });
    }
    Ok(out)
}

/// Sets whose clips all carry one emotion, as a folder sorted by emotion would be: for each
/// emotion of the corpus, `draws` sets of [`ONE_EMOTION_CLIPS`] of its clips, each standardised
/// by its own statistics, their answers pooled (`draws` in the report counts every set). The
/// set's statistics take away what its clips share, the emotion included: this measures the
/// hazard the page and `predict --standardise-set` warn of. `None` when `draws` is 0.
pub fn one_emotion(
    model: &Ensemble,
    metadata: &ModelMetadata,
    corpus: &[ClipWindows],
    statistics: SetStatistics,
    (draws, seed): (usize, u64),
) -> Result<Option<SizedSets>, Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0EE3_0710);
    let (mut pairs, mut windows, mut sets) = (Vec::new(), 0, 0);
    for emotion in Emotion::ALL {
        let of: Vec<&ClipWindows> = corpus
            .iter()
            .filter(|(c, _)| c.emotion == emotion)
            .collect();
        if of.is_empty() {
            continue;
        }
        let clips = ONE_EMOTION_CLIPS.min(of.len());
        for _ in 0..draws {
            let set: Vec<&ClipWindows> = rand::seq::index::sample(&mut rng, of.len(), clips)
                .iter()
                .map(|i| of[i])
                .collect();
            windows += classify_set(model, metadata, &set, statistics, &mut pairs)?;
            sets += 1;
        }
    }
    Ok((sets > 0).then(|| SizedSets {
        clips: ONE_EMOTION_CLIPS,
        draws: sets,
        windows: windows as f64 / sets as f64,
        report: Report::new(&pairs),
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

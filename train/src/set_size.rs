//! How small a set may be: a held-out corpus's clips drawn at random in sets of a few dozen to a
//! few hundred, each set standardised by its own mean and deviation and classified, as
//! `predict --standardise-set` would do for a folder of that size. Nested leave-one-corpus-out
//! validated the whole-corpus sets only; this measures the sets users bring.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use speech_emotion::Classifier;
use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;

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
            let inputs: Vec<&Matrix> = set.iter().flat_map(|(_, w)| w.iter().copied()).collect();
            windows += inputs.len();
            let adapted = ModelMetadata {
                normalization: statistics.adapt(&metadata.normalization, inputs),
                ..metadata.clone()
            };
            let classifier = Classifier::from_model(model.clone(), adapted)?;
            let set_clips: Vec<&Clip> = set.iter().map(|(clip, _)| *clip).collect();
            pairs.extend(evaluate_clips(&classifier, &set_clips).pairs());
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

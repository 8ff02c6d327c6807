//! Scoring a classifier on labelled clips, read from their files exactly as `predict` reads them.

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::prediction::Probabilities;
use speech_emotion::{Classifier, Emotion};
use std::collections::BTreeMap;

use crate::corpus::Clip;
use crate::metrics::Report;

/// The outcome for one clip.
pub struct Scored {
    pub corpus: &'static str,
    pub speaker: String,
    pub truth: Emotion,
    /// `None` when the clip could not be read or held no speech.
    pub predicted: Option<Emotion>,
    /// The answer's probabilities (mean over the speech windows), when there is one.
    pub probabilities: Option<Probabilities>,
}

/// Every clip's outcome.
pub struct Outcome {
    pub scored: Vec<Scored>,
}

impl Outcome {
    /// `(truth, predicted)` of the clips that got a prediction.
    pub fn pairs(&self) -> Vec<(Emotion, Emotion)> {
        self.scored
            .iter()
            .filter_map(|s| s.predicted.map(|p| (s.truth, p)))
            .collect()
    }
}

/// Classifies every clip from its file.
pub fn evaluate_clips(classifier: &Classifier, clips: &[&Clip]) -> Outcome {
    let bar = ProgressBar::new(clips.len() as u64).with_style(
        ProgressStyle::with_template("evaluate {bar:40} {pos}/{len} clips").expect("template"),
    );
    let scored = clips
        .iter()
        .map(|clip| {
            let answered = load_file(
                &clip.path,
                classifier.sample_rate(),
                DecodeOptions::default(),
            )
            .and_then(|(audio, _)| classifier.classify_resampled(&audio.samples))
            .ok()
            .and_then(|p| p.emotion.map(|e| (e, p.probabilities)));
            bar.inc(1);
            Scored {
                corpus: clip.corpus.name(),
                speaker: clip.speaker.clone(),
                truth: clip.emotion,
                predicted: answered.map(|(e, _)| e),
                probabilities: answered.map(|(_, p)| p),
            }
        })
        .collect();
    bar.finish_and_clear();
    Outcome { scored }
}

/// Accuracy per corpus and per speaker: a table, and the same as JSON.
pub fn grouped_reports(outcome: &Outcome) -> (String, serde_json::Value, serde_json::Value) {
    let mut corpus: BTreeMap<&str, Vec<(Emotion, Emotion)>> = BTreeMap::new();
    let mut speaker: BTreeMap<&str, Vec<(Emotion, Emotion)>> = BTreeMap::new();
    for s in &outcome.scored {
        if let Some(p) = s.predicted {
            corpus.entry(s.corpus).or_default().push((s.truth, p));
            speaker.entry(&s.speaker).or_default().push((s.truth, p));
        }
    }
    let mut table = format!("{:<14}{}\n", "group", Report::ROW_HEADER);
    let mut to_json = |groups: &BTreeMap<&str, Vec<(Emotion, Emotion)>>| {
        let mut map = serde_json::Map::new();
        for (name, pairs) in groups {
            let r = Report::new(pairs);
            table.push_str(&format!("{name:<14}{}\n", r.row()));
            map.insert(name.to_string(), json!({"clips": r.n, "accuracy": r.accuracy, "uar": r.uar, "macro_f1": r.macro_f1, "spread": r.spread, "predicted_share": r.predicted_share, "recall": r.per_class.iter().map(|c| (c.class, c.recall)).collect::<BTreeMap<_, _>>()}));
        }
        serde_json::Value::Object(map)
    };
    let per_corpus = to_json(&corpus);
    let per_speaker = to_json(&speaker);
    (table, per_corpus, per_speaker)
}

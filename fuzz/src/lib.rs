//! What every fuzz target shares: the shipped classifier, loaded once, and the properties any
//! prediction must have whatever the input was.

use std::sync::OnceLock;

use speech_emotion::Classifier;
use speech_emotion::prediction::Prediction;

/// The shipped model, loaded on the first input.
pub fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| speech_emotion::state::shipped().expect("the shipped model loads"))
}

/// Panics (a finding) unless every probability is a number in [0, 1] summing to one where speech
/// was found, and the timeline's times are ordered.
pub fn check(p: &Prediction) {
    let valid = |v: &f32| v.is_finite() && (0.0..=1.0 + 1e-4).contains(v);
    assert!(p.probabilities.0.iter().all(valid), "{:?}", p.probabilities);
    if p.emotion.is_some() {
        let sum: f32 = p.probabilities.0.iter().sum();
        assert!((sum - 1.0).abs() < 1e-3, "probabilities sum to {sum}");
    }
    assert!(p.duration.is_finite() && p.duration >= 0.0);
    for segment in &p.timeline {
        assert!(
            segment.start.is_finite() && segment.end >= segment.start,
            "{segment:?}"
        );
        if let Some(q) = &segment.probabilities {
            assert!(q.0.iter().all(valid), "{q:?}");
        }
    }
}

//! The result of classifying a recording: the overall emotion and the timeline of windows, in
//! the shape the `predict` command prints and the page shows.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::emotion::Emotion;

/// One probability per class, serialised as `{"neutral": p, "happy": p, ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Probabilities(pub [f32; Emotion::COUNT]);

impl Probabilities {
    /// The most probable class and its probability.
    pub fn top(&self) -> (Emotion, f32) {
        let (index, &p) = self
            .0
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("seven classes");
        (Emotion::ALL[index], p)
    }

    /// The mean of several distributions (zeros for none).
    pub fn mean<'a>(all: impl IntoIterator<Item = &'a Probabilities>) -> Probabilities {
        let mut sum = [0.0f64; Emotion::COUNT];
        let mut count = 0usize;
        for p in all {
            for (s, &v) in sum.iter_mut().zip(&p.0) {
                *s += f64::from(v);
            }
            count += 1;
        }
        let n = count.max(1) as f64;
        Probabilities(sum.map(|s| (s / n) as f32))
    }
}

impl Serialize for Probabilities {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Emotion::COUNT))?;
        for (e, p) in Emotion::ALL.iter().zip(&self.0) {
            map.serialize_entry(e.name(), p)?;
        }
        map.end()
    }
}

/// One window of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Start in seconds.
    pub start: f32,
    /// End in seconds.
    pub end: f32,
    /// The window's emotion, or `None` (JSON `null`) when it holds no speech.
    pub emotion: Option<Emotion>,
    /// The window's probabilities, absent for silence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<Probabilities>,
}

/// The classification of a whole recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The emotion of the recording (the mean over its speech windows), or `None` when no speech
    /// was found: the model does not guess on silence.
    pub emotion: Option<Emotion>,
    /// Probability of that emotion (0 when there is no speech).
    pub confidence: f32,
    /// Mean probabilities over the speech windows.
    pub probabilities: Probabilities,
    /// Every window, speech or silence, in order.
    pub timeline: Vec<Segment>,
    /// Length of the recording in seconds.
    pub duration: f32,
}

impl Prediction {
    /// Builds the overall result from the timeline.
    pub fn from_timeline(timeline: Vec<Segment>, duration: f32) -> Self {
        let speech: Vec<&Probabilities> = timeline
            .iter()
            .filter_map(|s| s.probabilities.as_ref())
            .collect();
        if speech.is_empty() {
            return Self {
                emotion: None,
                confidence: 0.0,
                probabilities: Probabilities::default(),
                timeline,
                duration,
            };
        }
        let probabilities = Probabilities::mean(speech);
        let (emotion, confidence) = probabilities.top();
        Self {
            emotion: Some(emotion),
            confidence,
            probabilities,
            timeline,
            duration,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_serialise_by_name() {
        let p = Probabilities([0.1, 0.2, 0.0, 0.7, 0.0, 0.0, 0.0]);
        let json = serde_json::to_value(p).unwrap();
        assert_eq!(json["angry"], serde_json::json!(0.7f32));
        assert_eq!(p.top(), (Emotion::Angry, 0.7));
    }

    #[test]
    fn silence_only_gives_no_emotion() {
        let timeline = vec![Segment {
            start: 0.0,
            end: 1.0,
            emotion: None,
            probabilities: None,
        }];
        let p = Prediction::from_timeline(timeline, 1.0);
        assert_eq!(p.emotion, None);
        assert_eq!(
            serde_json::to_value(&p).unwrap()["emotion"],
            serde_json::Value::Null
        );
    }
}

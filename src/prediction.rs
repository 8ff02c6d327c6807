//! The result of classifying a recording: the overall emotion and the timeline of windows, in
//! the shape the `predict` command prints and the page shows.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::calibration::top_two;
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
    /// Whether the window's top two answers are too close to call.
    #[serde(default)]
    pub uncertain: bool,
}

/// A stretch of a recording with one answer: consecutive windows with the same emotion merged.
/// Each window owns the time between the midpoints to its neighbours' centres (the first from 0,
/// the last to the end of the recording), so the stretches tile the recording without
/// overlapping. The page draws these, `predict --timeline` prints them, and both CSV exports
/// hold them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stretch {
    /// Start in seconds.
    pub start: f32,
    /// End in seconds.
    pub end: f32,
    /// The emotion, or `None` (JSON `null`) for no speech.
    pub emotion: Option<Emotion>,
    /// How many windows were merged.
    pub windows: usize,
    /// Mean probabilities of the merged windows, absent for silence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<Probabilities>,
    /// Whether those mean probabilities are too close to call.
    pub uncertain: bool,
}

/// The timeline's windows merged into [`Stretch`]es over `0..duration`.
pub fn merge(
    timeline: &[Segment],
    duration: f32,
    unsure: impl Fn(&Probabilities) -> bool,
) -> Vec<Stretch> {
    let centres: Vec<f32> = timeline.iter().map(|w| (w.start + w.end) / 2.0).collect();
    let end = timeline.last().map_or(duration, |w| duration.max(w.end));
    let mut out: Vec<(Stretch, Vec<Probabilities>)> = Vec::new();
    for (i, window) in timeline.iter().enumerate() {
        let from = if i == 0 {
            0.0
        } else {
            (centres[i - 1] + centres[i]) / 2.0
        };
        let to = centres
            .get(i + 1)
            .map_or(end, |next| (centres[i] + next) / 2.0);
        match out.last_mut() {
            Some((last, probabilities)) if last.emotion == window.emotion => {
                last.end = to;
                last.windows += 1;
                probabilities.extend(window.probabilities);
            }
            _ => out.push((
                Stretch {
                    start: from,
                    end: to,
                    emotion: window.emotion,
                    windows: 1,
                    probabilities: None,
                    uncertain: false,
                },
                window.probabilities.into_iter().collect(),
            )),
        }
    }
    out.into_iter()
        .map(|(mut stretch, probabilities)| {
            if !probabilities.is_empty() {
                let mean = Probabilities::mean(&probabilities);
                stretch.uncertain = unsure(&mean);
                stretch.probabilities = Some(mean);
            }
            stretch
        })
        .collect()
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
    /// Whether the answer is too close to call: its lead over the runner-up is under the
    /// model's calibrated margin. The page then says "unsure: A or B".
    pub uncertain: bool,
    /// The second most probable emotion (`None` without speech).
    pub runner_up: Option<Emotion>,
    /// Every window, speech or silence, in order.
    pub timeline: Vec<Segment>,
    /// The windows merged into stretches with one answer each, tiling `0..duration`.
    pub segments: Vec<Stretch>,
    /// Length of the recording in seconds.
    pub duration: f32,
}

impl Prediction {
    /// Builds the overall result from the timeline; `unsure` tells whether a distribution is
    /// too close to call.
    pub fn from_timeline(
        mut timeline: Vec<Segment>,
        duration: f32,
        unsure: impl Fn(&Probabilities) -> bool,
    ) -> Self {
        for segment in &mut timeline {
            segment.uncertain = segment.probabilities.as_ref().is_some_and(&unsure);
        }
        let segments = merge(&timeline, duration, &unsure);
        let speech: Vec<&Probabilities> = timeline
            .iter()
            .filter_map(|s| s.probabilities.as_ref())
            .collect();
        let mean = (!speech.is_empty()).then(|| Probabilities::mean(speech));
        let mut prediction = Self {
            emotion: None,
            confidence: 0.0,
            probabilities: Probabilities::default(),
            uncertain: false,
            runner_up: None,
            segments,
            timeline,
            duration,
        };
        if let Some(mean) = mean {
            prediction.answer_from(mean, unsure);
        }
        prediction
    }

    /// A recording known by its overall probabilities only (no timeline, no duration): what
    /// balancing a set needs of the answers the page already shows.
    pub fn of_probabilities(
        probabilities: Probabilities,
        unsure: impl Fn(&Probabilities) -> bool,
    ) -> Self {
        let mut prediction = Self::from_timeline(Vec::new(), 0.0, &unsure);
        prediction.answer_from(probabilities, unsure);
        prediction
    }

    /// Answers the whole recording from `probabilities` (its windows' mean, or that mean
    /// balanced over a set: [`crate::set::balance_answers`]); the timeline stays as classified.
    pub fn answer_from(
        &mut self,
        probabilities: Probabilities,
        unsure: impl Fn(&Probabilities) -> bool,
    ) {
        let ((emotion, confidence), (runner_up, _)) = top_two(&probabilities);
        self.emotion = Some(emotion);
        self.confidence = confidence;
        self.uncertain = unsure(&probabilities);
        self.runner_up = Some(runner_up);
        self.probabilities = probabilities;
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

    fn window(start: f32, emotion: Option<Emotion>) -> Segment {
        let mut p = [0.0; Emotion::COUNT];
        if let Some(e) = emotion {
            p[e.index()] = 1.0;
        }
        Segment {
            start,
            end: start + 2.0,
            emotion,
            probabilities: emotion.map(|_| Probabilities(p)),
            uncertain: false,
        }
    }

    #[test]
    fn windows_merge_into_stretches_that_tile_the_recording() {
        use Emotion::*;
        let answers = [
            Some(Sad),
            Some(Sad),
            None,
            Some(Angry),
            Some(Angry),
            Some(Angry),
        ];
        let timeline: Vec<Segment> = answers
            .iter()
            .enumerate()
            .map(|(i, &e)| window(0.5 + i as f32, e))
            .collect();
        let stretches = merge(&timeline, 8.0, |_| false);
        let summary: Vec<(f32, f32, Option<Emotion>, usize)> = stretches
            .iter()
            .map(|s| (s.start, s.end, s.emotion, s.windows))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0.0, 3.0, Some(Sad), 2),
                (3.0, 4.0, None, 1),
                (4.0, 8.0, Some(Angry), 3)
            ]
        );
        assert_eq!(stretches[0].probabilities.unwrap().top(), (Sad, 1.0));
        assert!(stretches[1].probabilities.is_none());
        assert!(merge(&[], 1.0, |_| false).is_empty());
    }

    #[test]
    fn silence_only_gives_no_emotion() {
        let timeline = vec![Segment {
            start: 0.0,
            end: 1.0,
            emotion: None,
            probabilities: None,
            uncertain: false,
        }];
        let p = Prediction::from_timeline(timeline, 1.0, |_| true);
        assert!(!p.uncertain);
        assert_eq!(p.emotion, None);
        assert_eq!(
            serde_json::to_value(&p).unwrap()["emotion"],
            serde_json::Value::Null
        );
    }
}

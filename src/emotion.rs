//! The seven emotions the model tells apart, in the model's output order.

use serde::{Deserialize, Serialize};

/// An emotion class. The discriminant is the model's output index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Emotion {
    /// Neutral (RAVDESS "calm" is folded in here).
    Neutral = 0,
    /// Happy.
    Happy = 1,
    /// Sad.
    Sad = 2,
    /// Angry.
    Angry = 3,
    /// Fearful.
    Fear = 4,
    /// Disgust.
    Disgust = 5,
    /// Surprise (TESS "pleasant surprise").
    Surprise = 6,
}

impl Emotion {
    /// Every class, in output order.
    pub const ALL: [Emotion; 7] = [
        Emotion::Neutral,
        Emotion::Happy,
        Emotion::Sad,
        Emotion::Angry,
        Emotion::Fear,
        Emotion::Disgust,
        Emotion::Surprise,
    ];

    /// Number of classes.
    pub const COUNT: usize = 7;

    /// The class at output index `i`.
    pub fn from_index(i: usize) -> Option<Emotion> {
        Self::ALL.get(i).copied()
    }

    /// The output index of this class.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The lowercase name used in JSON, CSV and the page.
    pub fn name(self) -> &'static str {
        match self {
            Emotion::Neutral => "neutral",
            Emotion::Happy => "happy",
            Emotion::Sad => "sad",
            Emotion::Angry => "angry",
            Emotion::Fear => "fear",
            Emotion::Disgust => "disgust",
            Emotion::Surprise => "surprise",
        }
    }
}

impl std::fmt::Display for Emotion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_round_trip() {
        for (i, e) in Emotion::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
            assert_eq!(Emotion::from_index(i), Some(*e));
        }
        assert_eq!(Emotion::from_index(7), None);
    }
}

//! The classes a user says their recordings can carry. A corpus without disgust or surprise
//! (nEMO, ASED, most real collections) still gets those answers from a model trained on seven:
//! told the classes, each window's probabilities are conditioned on them (Bayes' rule: the other
//! classes' probabilities set to 0, the rest summed to 1), so no answer falls outside them.

use crate::emotion::Emotion;
use crate::error::{Error, Result};
use crate::prediction::Probabilities;

/// The classes answers are drawn from: every class by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Among([bool; Emotion::COUNT]);

impl Default for Among {
    fn default() -> Self {
        Self::ALL
    }
}

impl Among {
    /// Every class: the model's plain answers.
    pub const ALL: Among = Among([true; Emotion::COUNT]);

    /// Fewest classes an answer can be drawn from: with one there is nothing to tell apart.
    pub const MIN: usize = 2;

    /// The given classes (repeats ignored); fewer than [`Self::MIN`] different ones is
    /// [`Error::TooFewClasses`].
    pub fn new(classes: &[Emotion]) -> Result<Self> {
        let mut allowed = [false; Emotion::COUNT];
        for e in classes {
            allowed[e.index()] = true;
        }
        let given = allowed.iter().filter(|&&a| a).count();
        if given < Self::MIN {
            return Err(Error::TooFewClasses {
                given,
                needed: Self::MIN,
            });
        }
        Ok(Self(allowed))
    }

    /// The classes named (`"neutral"`, `"happy"`, …, any case, surrounding spaces and empty
    /// names ignored); an unknown name is [`Error::UnknownClass`].
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self> {
        let classes = names
            .iter()
            .map(|name| name.as_ref().trim())
            .filter(|name| !name.is_empty())
            .map(|name| {
                Emotion::ALL
                    .into_iter()
                    .find(|e| e.name().eq_ignore_ascii_case(name))
                    .ok_or_else(|| Error::UnknownClass(name.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::new(&classes)
    }

    /// Whether answers may be `emotion`.
    pub fn contains(&self, emotion: Emotion) -> bool {
        self.0[emotion.index()]
    }

    /// Whether every class is allowed (nothing is restricted).
    pub fn is_all(&self) -> bool {
        *self == Self::ALL
    }

    /// The allowed classes, in the model's order.
    pub fn classes(&self) -> Vec<Emotion> {
        Emotion::ALL
            .into_iter()
            .filter(|&e| self.contains(e))
            .collect()
    }

    /// `p` conditioned on the allowed classes: the others set to 0, the rest summed to 1 (an
    /// even share each if the model gave them nothing at all). Unchanged with every class.
    pub fn restrict(&self, p: &Probabilities) -> Probabilities {
        if self.is_all() {
            return *p;
        }
        let kept: [f32; Emotion::COUNT] =
            std::array::from_fn(|k| if self.0[k] { p.0[k] } else { 0.0 });
        let sum: f32 = kept.iter().sum();
        let n = self.0.iter().filter(|&&a| a).count() as f32;
        Probabilities(std::array::from_fn(|k| match (self.0[k], sum > 0.0) {
            (false, _) => 0.0,
            (true, true) => kept[k] / sum,
            (true, false) => 1.0 / n,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Emotion::*;

    #[test]
    fn restricting_conditions_on_the_allowed_classes() {
        let among = Among::new(&[Neutral, Happy, Sad, Angry]).unwrap();
        let p = Probabilities([0.1, 0.1, 0.2, 0.1, 0.3, 0.1, 0.1]);
        let r = among.restrict(&p);
        for (k, e) in Emotion::ALL.into_iter().enumerate() {
            let expected = if among.contains(e) { p.0[k] / 0.5 } else { 0.0 };
            assert!(
                (r.0[k] - expected).abs() < 1e-6,
                "{e}: {} vs {expected}",
                r.0[k]
            );
        }
        assert_eq!(r.top().0, Sad, "fear led, but is not allowed");
        assert_eq!(Among::ALL.restrict(&p), p);
        let none = Probabilities([0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(
            among.restrict(&none).0,
            [0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0]
        );
    }

    #[test]
    fn names_parse_and_bad_lists_are_refused() {
        let among = Among::parse(&["Neutral", " sad ", "sad", ""]).unwrap();
        assert_eq!(among.classes(), vec![Neutral, Sad]);
        assert!(!among.is_all());
        assert!(
            Among::parse(&Emotion::ALL.map(|e| e.name()))
                .unwrap()
                .is_all()
        );
        assert!(matches!(
            Among::parse(&["neutral", "bored"]),
            Err(Error::UnknownClass(name)) if name == "bored"
        ));
        assert!(matches!(
            Among::parse(&["happy", "happy"]),
            Err(Error::TooFewClasses {
                given: 1,
                needed: 2
            })
        ));
        assert!(matches!(
            Among::new(&[]),
            Err(Error::TooFewClasses { given: 0, .. })
        ));
    }
}

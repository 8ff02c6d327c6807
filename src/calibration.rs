//! Honest probabilities: temperature scaling, the top-two margin under which an answer is
//! called unsure, and, when a calibration holds them, the training set's class shares taken out
//! of the ensemble's window probabilities (the shipped model's does not: README). The trainer measures them on validation speakers (never on test speakers); they
//! travel in the model's metadata.

use serde::{Deserialize, Serialize};

use crate::emotion::Emotion;
use crate::prediction::Probabilities;

/// A fitted calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Each window's probabilities are raised to `1 / temperature` and renormalised: above 1
    /// softens an over-confident model, below 1 sharpens a timid one.
    pub temperature: f32,
    /// A recording's answer is unsure when its top probability leads the second by less.
    pub unsure_margin: f32,
    /// Each class's share of the training clips. When present, each window's probabilities
    /// are divided by it and renormalised before the temperature (post-hoc logit adjustment,
    /// Menon et al. 2021), so that a class does not win close calls only because training held
    /// more of it: the answer then estimates the class with every class equally likely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior: Option<[f32; Emotion::COUNT]>,
    /// How the fit scored on the validation speakers (written by the trainer).
    #[serde(default)]
    pub figures: serde_json::Value,
}

impl Calibration {
    /// No change: temperature 1, never unsure.
    pub fn identity() -> Self {
        Self {
            temperature: 1.0,
            unsure_margin: 0.0,
            prior: None,
            figures: serde_json::Value::Null,
        }
    }

    /// The calibrated distribution of one window.
    pub fn apply(&self, p: &Probabilities) -> Probabilities {
        match &self.prior {
            Some(prior) => scale(&without_prior(p, prior), self.temperature),
            None => scale(p, self.temperature),
        }
    }

    /// An error unless the prior is a distribution: positive, finite shares summing to 1.
    pub fn check(&self) -> Result<(), String> {
        let Some(prior) = &self.prior else {
            return Ok(());
        };
        let sum: f32 = prior.iter().sum();
        if prior.iter().all(|&v| v.is_finite() && v > 0.0) && (sum - 1.0).abs() < 1e-3 {
            Ok(())
        } else {
            Err(format!(
                "the calibration's prior must be positive class shares summing to 1, got {prior:?}"
            ))
        }
    }

    /// Whether an answer with these (calibrated) probabilities is too close to call.
    pub fn unsure(&self, p: &Probabilities) -> bool {
        let (first, second) = top_two(p);
        first.1 - second.1 < self.unsure_margin
    }
}

/// `p^(1/t)`, renormalised, computed from logarithms so that tiny probabilities stay finite.
pub fn scale(p: &Probabilities, t: f32) -> Probabilities {
    let logs = p.0.map(|v| f64::from(v.max(1e-12)).ln() / f64::from(t));
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp = logs.map(|l| (l - max).exp());
    let sum: f64 = exp.iter().sum();
    Probabilities(exp.map(|e| (e / sum) as f32))
}

/// `p / prior`, renormalised: the distribution had every class been equally common in training.
pub fn without_prior(p: &Probabilities, prior: &[f32; Emotion::COUNT]) -> Probabilities {
    let ratio: [f64; Emotion::COUNT] =
        std::array::from_fn(|i| f64::from(p.0[i]) / f64::from(prior[i]));
    let sum: f64 = ratio.iter().sum();
    Probabilities(ratio.map(|r| (r / sum) as f32))
}

/// The two most probable classes, most probable first.
pub fn top_two(p: &Probabilities) -> ((Emotion, f32), (Emotion, f32)) {
    let mut order: Vec<usize> = (0..Emotion::COUNT).collect();
    order.sort_by(|&a, &b| p.0[b].total_cmp(&p.0[a]));
    let pick = |i: usize| (Emotion::ALL[order[i]], p.0[order[i]]);
    (pick(0), pick(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_softens_and_sharpens_without_changing_the_order() {
        let p = Probabilities([0.6, 0.2, 0.1, 0.05, 0.03, 0.01, 0.01]);
        let soft = scale(&p, 2.0);
        let sharp = scale(&p, 0.5);
        assert!(soft.0[0] < p.0[0] && sharp.0[0] > p.0[0]);
        for q in [soft, sharp] {
            assert!((q.0.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert_eq!(q.top().0, Emotion::Neutral);
        }
        assert_eq!(Calibration::identity().apply(&p).top(), p.top());
        let same = Calibration::identity().apply(&p);
        assert!(same.0.iter().zip(&p.0).all(|(a, b)| (a - b).abs() < 1e-6));
    }

    #[test]
    fn the_prior_takes_a_close_call_from_the_commoner_class() {
        let p = Probabilities([0.40, 0.36, 0.04, 0.05, 0.05, 0.05, 0.05]);
        let mut prior = [0.14; 7];
        prior[0] = 0.20;
        prior[1] = 0.10;
        let calibration = Calibration {
            prior: Some(prior),
            ..Calibration::identity()
        };
        assert_eq!(calibration.check(), Ok(()));
        let corrected = calibration.apply(&p);
        assert_eq!(corrected.top().0, Emotion::Happy);
        assert!((corrected.0.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        // A uniform prior changes nothing.
        let uniform = without_prior(&p, &[1.0 / 7.0; 7]);
        assert!(
            uniform
                .0
                .iter()
                .zip(&p.0)
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
        for bad in [[0.0; 7], [0.5; 7], [f32::NAN; 7]] {
            let calibration = Calibration {
                prior: Some(bad),
                ..Calibration::identity()
            };
            assert!(calibration.check().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_close_call_is_unsure() {
        let calibration = Calibration {
            unsure_margin: 0.1,
            ..Calibration::identity()
        };
        let close = Probabilities([0.40, 0.35, 0.05, 0.05, 0.05, 0.05, 0.05]);
        let clear = Probabilities([0.60, 0.20, 0.04, 0.04, 0.04, 0.04, 0.04]);
        assert!(calibration.unsure(&close));
        assert!(!calibration.unsure(&clear));
        assert_eq!(top_two(&close).1.0, Emotion::Happy);
        assert!(!Calibration::identity().unsure(&close));
    }
}

//! Fitting the calibration on validation speakers: the temperature with the lowest negative
//! log-likelihood of the recordings' answers, the expected calibration error (ECE) before and
//! after, and the top-two margin under which an answer is called unsure.

use serde_json::json;
use speech_emotion::Emotion;
use speech_emotion::calibration::{Calibration, scale, top_two};
use speech_emotion::prediction::Probabilities;

/// One validation recording: its windows' uncalibrated probabilities and its label.
pub struct Scored {
    /// One distribution per speech window.
    pub windows: Vec<Probabilities>,
    /// The true class.
    pub label: Emotion,
}

/// Bins of the expected calibration error.
const ECE_BINS: usize = 15;
/// The unsure answers may be at most this share of the validation recordings.
const MAX_UNSURE: f64 = 0.5;
/// How much more accurate than all answers together the sure ones should be.
const SURE_GAIN: f64 = 0.10;

/// The recording's calibrated answer: the mean of its calibrated windows.
fn answer(s: &Scored, t: f32) -> Probabilities {
    let windows: Vec<Probabilities> = s.windows.iter().map(|p| scale(p, t)).collect();
    Probabilities::mean(&windows)
}

/// Mean negative log-likelihood of the labels at temperature `t`.
fn nll(scored: &[Scored], t: f32) -> f64 {
    scored
        .iter()
        .map(|s| -f64::from(answer(s, t).0[s.label.index()].max(1e-9)).ln())
        .sum::<f64>()
        / scored.len().max(1) as f64
}

/// The temperature in [0.2, 10] with the lowest NLL (golden-section search on its logarithm).
pub fn fit_temperature(scored: &[Scored]) -> f32 {
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let f = |log_t: f64| nll(scored, log_t.exp() as f32);
    let (mut lo, mut hi) = (0.2f64.ln(), 10f64.ln());
    for _ in 0..40 {
        let a = hi - golden * (hi - lo);
        let b = lo + golden * (hi - lo);
        if f(a) < f(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    ((lo + hi) / 2.0).exp() as f32
}

/// Expected calibration error of the answers: the gap between confidence and accuracy, averaged
/// over equal-width confidence bins weighted by how many answers fall in each.
pub fn ece(answers: &[(Probabilities, Emotion)]) -> f64 {
    let mut bins = [(0usize, 0.0f64, 0usize); ECE_BINS];
    for (p, label) in answers {
        let (top, confidence) = p.top();
        let bin = ((f64::from(confidence) * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
        bins[bin].0 += 1;
        bins[bin].1 += f64::from(confidence);
        bins[bin].2 += usize::from(top == *label);
    }
    let n = answers.len().max(1) as f64;
    bins.iter()
        .filter(|b| b.0 > 0)
        .map(|&(_, confidence, right)| (confidence - right as f64).abs() / n)
        .sum()
}

/// Accuracy and count of the answers whose top-two margin is (`sure`) or is not below `margin`.
fn split(answers: &[(Probabilities, Emotion)], margin: f32) -> ((f64, usize), (f64, usize)) {
    let (mut sure, mut unsure) = ((0usize, 0usize), (0usize, 0usize));
    for (p, label) in answers {
        let ((top, first), (_, second)) = top_two(p);
        let slot = if first - second < margin {
            &mut unsure
        } else {
            &mut sure
        };
        slot.0 += usize::from(top == *label);
        slot.1 += 1;
    }
    let rate = |(right, n): (usize, usize)| (right as f64 / n.max(1) as f64, n);
    (rate(sure), rate(unsure))
}

/// The smallest margin (in steps of 0.01 up to 0.5) whose sure answers are at least
/// [`SURE_GAIN`] more accurate than all answers, with at most [`MAX_UNSURE`] of them unsure;
/// failing that, the margin with the most accurate sure answers within that share.
pub fn choose_margin(answers: &[(Probabilities, Emotion)]) -> f32 {
    let overall = split(answers, 0.0).0.0;
    let n = answers.len().max(1) as f64;
    let candidates: Vec<f32> = (0..=50)
        .map(|i| i as f32 / 100.0)
        .filter(|&m| split(answers, m).1.1 as f64 / n <= MAX_UNSURE)
        .collect();
    candidates
        .iter()
        .copied()
        .find(|&m| split(answers, m).0.0 >= overall + SURE_GAIN)
        .or_else(|| {
            candidates
                .iter()
                .copied()
                .max_by(|&a, &b| split(answers, a).0.0.total_cmp(&split(answers, b).0.0))
        })
        .unwrap_or(0.0)
}

/// Fits the temperature and the margin on the validation recordings, with the figures that
/// say how well they did there.
pub fn fit(scored: &[Scored]) -> Calibration {
    let temperature = fit_temperature(scored);
    let answers_at = |t: f32| -> Vec<(Probabilities, Emotion)> {
        scored.iter().map(|s| (answer(s, t), s.label)).collect()
    };
    let (before, after) = (answers_at(1.0), answers_at(temperature));
    let unsure_margin = choose_margin(&after);
    let ((sure_accuracy, sure), (unsure_accuracy, unsure)) = split(&after, unsure_margin);
    Calibration {
        temperature,
        unsure_margin,
        figures: json!({
            "recordings": scored.len(),
            "ece_before": ece(&before),
            "ece_after": ece(&after),
            "nll_before": nll(scored, 1.0),
            "nll_after": nll(scored, temperature),
            "accuracy": split(&after, 0.0).0.0,
            "unsure_share": unsure as f64 / scored.len().max(1) as f64,
            "accuracy_when_sure": sure_accuracy,
            "accuracy_when_unsure": unsure_accuracy,
            "sure": sure,
            "unsure": unsure,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recordings an over-confident model answers at 0.95 though it is right 60 % of the time.
    fn over_confident() -> Vec<Scored> {
        (0..200)
            .map(|i| {
                let label = Emotion::ALL[i % 7];
                let answer = if i % 5 < 3 {
                    label
                } else {
                    Emotion::ALL[(i + 1) % 7]
                };
                let mut p = [0.05 / 6.0; 7];
                p[answer.index()] = 0.95;
                Scored {
                    windows: vec![Probabilities(p)],
                    label,
                }
            })
            .collect()
    }

    #[test]
    fn an_over_confident_model_is_softened_and_its_ece_falls() {
        let scored = over_confident();
        let calibration = fit(&scored);
        assert!(calibration.temperature > 1.5, "{}", calibration.temperature);
        let f = &calibration.figures;
        assert!(f["ece_before"].as_f64().unwrap() > 0.3);
        assert!(f["ece_after"].as_f64().unwrap() < 0.1, "{f}");
        assert!(f["nll_after"].as_f64().unwrap() < f["nll_before"].as_f64().unwrap());
        assert!((f["accuracy"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    }

    #[test]
    fn the_margin_separates_close_calls_when_they_are_the_wrong_ones() {
        // Right answers lead by 0.5, wrong ones by 0.05.
        let answers: Vec<(Probabilities, Emotion)> = (0..100)
            .map(|i| {
                let right = i % 2 == 0;
                let p = if right {
                    [0.6, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05]
                } else {
                    [0.3, 0.25, 0.15, 0.1, 0.1, 0.05, 0.05]
                };
                let label = if right {
                    Emotion::Neutral
                } else {
                    Emotion::Sad
                };
                (Probabilities(p), label)
            })
            .collect();
        let margin = choose_margin(&answers);
        assert!(margin > 0.05 && margin <= 0.5, "{margin}");
        let ((sure, _), (unsure, _)) = split(&answers, margin);
        assert_eq!((sure, unsure), (1.0, 0.0));
    }
}

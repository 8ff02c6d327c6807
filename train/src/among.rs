//! Answers drawn from a held-out corpus's own classes, measured: what `predict --among` gives a
//! user who says which emotions their recordings can carry. nEMO has no disgust and ASED no
//! disgust or surprise, yet a model of seven classes answers them for some of their clips; told
//! the classes, each window's probabilities are conditioned on them ([`Among::restrict`]).
//! Nothing is chosen from it: the classes are the user's knowledge, not a setting.

use std::collections::BTreeSet;

use serde::Serialize;
use speech_emotion::prediction::Probabilities;
use speech_emotion::{Among, Classifier, Emotion};

use crate::balance::{balanced, top};
use crate::corpus::Clip;
use crate::evaluation::evaluate_clips;
use crate::metrics::Report;

/// A held-out corpus's clips answered among its own classes, plainly and balanced as one set.
#[derive(Debug, Clone, Serialize)]
pub struct AmongClasses {
    /// The classes the corpus carries.
    pub classes: Vec<Emotion>,
    /// The clips answered among them.
    pub report: Report,
    /// The same answers balanced over the corpus as one set.
    pub report_balanced: Report,
}

/// The clips classified again, from their files, with answers drawn from the classes their
/// labels carry; `None` when they carry every class (nothing would change).
pub fn measure(
    classifier: &Classifier,
    clips: &[&Clip],
) -> Result<Option<AmongClasses>, Box<dyn std::error::Error>> {
    let classes: Vec<Emotion> = clips
        .iter()
        .map(|c| c.emotion)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if classes.len() == Emotion::COUNT || classes.len() < Among::MIN {
        return Ok(None);
    }
    let mut restricted =
        classifier.with_normalization(classifier.metadata().normalization.clone())?;
    restricted.answer_among(Among::new(&classes)?);
    let answered: Vec<(Emotion, Probabilities)> = evaluate_clips(&restricted, clips)
        .scored
        .iter()
        .filter_map(|s| s.probabilities.map(|p| (s.truth, p)))
        .collect();
    let probabilities: Vec<Probabilities> = answered.iter().map(|(_, p)| *p).collect();
    let pairs = |answers: Vec<Emotion>| -> Vec<(Emotion, Emotion)> {
        answered.iter().map(|(t, _)| *t).zip(answers).collect()
    };
    let among = AmongClasses {
        classes,
        report: Report::new(&pairs(top(&probabilities))),
        report_balanced: Report::new(&pairs(balanced(&probabilities))),
    };
    eprintln!(
        "  among its {} classes: test UAR {:.3}, balanced {:.3}",
        among.classes.len(),
        among.report.uar,
        among.report_balanced.uar
    );
    Ok(Some(among))
}

/// A fold whose corpus lacks a class: its name, its answers among its classes, and the same
/// networks' reports over all seven, plain and balanced.
pub type AmongFold<'a> = (&'a str, &'a AmongClasses, &'a Report, &'a Report);

/// Over the folds whose corpus lacks a class: each answered among its classes against all
/// seven, plainly and balanced (`all` and `all_balanced`: the same networks' reports over every
/// class), with the means; printed and returned for the metadata.
pub fn summary(folds: &[AmongFold]) -> serde_json::Value {
    if folds.is_empty() {
        return serde_json::Value::Null;
    }
    let n = folds.len() as f64;
    let mean = |f: &dyn Fn(&AmongFold) -> f64| folds.iter().map(f).sum::<f64>() / n;
    eprintln!("(d) answers among each corpus's own classes (UAR; all seven in brackets)");
    let corpora: Vec<serde_json::Value> = folds
        .iter()
        .map(|(name, among, all, all_balanced)| {
            eprintln!(
                "  {name:<9}{} classes: plain {:.3} ({:.3}), balanced {:.3} ({:.3}); answers outside its classes {:.1} % of all seven's",
                among.classes.len(),
                among.report.uar,
                all.uar,
                among.report_balanced.uar,
                all_balanced.uar,
                100.0 * outside_share(&among.classes, all),
            );
            serde_json::json!({
                "corpus": name,
                "classes": among.classes,
                "uar": among.report.uar,
                "uar_all": all.uar,
                "uar_balanced": among.report_balanced.uar,
                "uar_balanced_all": all_balanced.uar,
                "spread_ratio": among.report.spread.ratio(),
                "spread_ratio_all": all.spread.ratio(),
                "outside_share_all": outside_share(&among.classes, all),
            })
        })
        .collect();
    serde_json::json!({
        "corpora": corpora,
        "mean_uar": mean(&|f| f.1.report.uar),
        "mean_uar_all": mean(&|f| f.2.uar),
        "mean_uar_balanced": mean(&|f| f.1.report_balanced.uar),
        "mean_uar_balanced_all": mean(&|f| f.3.uar),
    })
}

/// The share of a report's answers that fall outside `classes`.
fn outside_share(classes: &[Emotion], report: &Report) -> f64 {
    Emotion::ALL
        .iter()
        .filter(|e| !classes.contains(e))
        .map(|e| report.predicted_share[e.index()])
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_outside_the_classes_are_counted() {
        use Emotion::*;
        let report = Report::new(&[
            (Sad, Sad),
            (Sad, Disgust),
            (Happy, Surprise),
            (Happy, Happy),
        ]);
        assert!((outside_share(&[Happy, Sad], &report) - 0.5).abs() < 1e-12);
        assert_eq!(outside_share(&Emotion::ALL, &report), 0.0);
    }
}

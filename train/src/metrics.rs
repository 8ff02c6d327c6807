//! Classification metrics: accuracy, macro-F1, per-class precision / recall / F1 and the
//! confusion matrix, as tables for the terminal and as JSON for the model's metadata.

use serde::Serialize;
use speech_emotion::Emotion;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassMetrics {
    pub class: &'static str,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Scores of a set of predictions.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub n: usize,
    pub accuracy: f64,
    /// Mean F1 over the classes present in the truth (a corpus may lack one, CREMA-D surprise).
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[truth][predicted]`.
    pub confusion: [[usize; Emotion::COUNT]; Emotion::COUNT],
    /// How the predictions spread over the classes: one answer for everything shows here.
    pub predicted_share: Vec<f64>,
}

impl Report {
    /// Scores `(truth, predicted)` pairs.
    pub fn new(pairs: &[(Emotion, Emotion)]) -> Self {
        let mut confusion = [[0usize; Emotion::COUNT]; Emotion::COUNT];
        for &(truth, predicted) in pairs {
            confusion[truth.index()][predicted.index()] += 1;
        }
        let n = pairs.len();
        let correct: usize = (0..Emotion::COUNT).map(|i| confusion[i][i]).sum();
        let per_class: Vec<ClassMetrics> = Emotion::ALL
            .iter()
            .map(|&e| {
                let i = e.index();
                let tp = confusion[i][i] as f64;
                let support: usize = confusion[i].iter().sum();
                let predicted: usize = (0..Emotion::COUNT).map(|t| confusion[t][i]).sum();
                let precision = if predicted > 0 {
                    tp / predicted as f64
                } else {
                    0.0
                };
                let recall = if support > 0 {
                    tp / support as f64
                } else {
                    0.0
                };
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics {
                    class: e.name(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let present: Vec<&ClassMetrics> = per_class.iter().filter(|c| c.support > 0).collect();
        let macro_f1 = present.iter().map(|c| c.f1).sum::<f64>() / present.len().max(1) as f64;
        let predicted_share = (0..Emotion::COUNT)
            .map(|p| {
                (0..Emotion::COUNT).map(|t| confusion[t][p]).sum::<usize>() as f64 / n.max(1) as f64
            })
            .collect();
        Self {
            n,
            accuracy: correct as f64 / n.max(1) as f64,
            macro_f1,
            per_class,
            confusion,
            predicted_share,
        }
    }

    /// The report as terminal tables.
    pub fn table(&self) -> String {
        let mut out = format!(
            "clips {}  accuracy {:.1} %  macro-F1 {:.3}\n\n{:<10}{:>10}{:>8}{:>8}{:>9}{:>11}\n",
            self.n,
            100.0 * self.accuracy,
            self.macro_f1,
            "class",
            "precision",
            "recall",
            "F1",
            "support",
            "predicted"
        );
        for (c, share) in self.per_class.iter().zip(&self.predicted_share) {
            out.push_str(&format!(
                "{:<10}{:>10.3}{:>8.3}{:>8.3}{:>9}{:>10.1}%\n",
                c.class,
                c.precision,
                c.recall,
                c.f1,
                c.support,
                100.0 * share
            ));
        }
        out.push_str("\nconfusion (rows: truth, columns: predicted)\n          ");
        for e in Emotion::ALL {
            out.push_str(&format!("{:>9}", &e.name()[..e.name().len().min(8)]));
        }
        out.push('\n');
        for (t, row) in self.confusion.iter().enumerate() {
            out.push_str(&format!("{:<10}", Emotion::ALL[t].name()));
            for n in row {
                out.push_str(&format!("{n:>9}"));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Emotion::*;

    #[test]
    fn perfect_and_constant_predictions() {
        let perfect = Report::new(&[(Happy, Happy), (Sad, Sad), (Angry, Angry)]);
        assert_eq!(perfect.accuracy, 1.0);
        assert_eq!(perfect.macro_f1, 1.0);
        let constant = Report::new(&[(Happy, Sad), (Sad, Sad), (Angry, Sad), (Fear, Sad)]);
        assert_eq!(constant.accuracy, 0.25);
        assert_eq!(constant.predicted_share[Sad.index()], 1.0);
        // Sad: precision 1/4, recall 1, F1 0.4; the three other present classes score 0.
        assert!((constant.macro_f1 - 0.1).abs() < 1e-12);
        assert_eq!(constant.confusion[Happy.index()][Sad.index()], 1);
    }
}

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
    /// Unweighted average recall: mean recall over the classes present in the truth, so a
    /// model that answers one class for everything scores 1 / classes, whatever the balance.
    pub uar: f64,
    /// The most frequent answer and how it compares with that class's share of the truth.
    pub spread: Spread,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[truth][predicted]`.
    pub confusion: [[usize; Emotion::COUNT]; Emotion::COUNT],
    /// How the predictions spread over the classes: one answer for everything shows here.
    pub predicted_share: Vec<f64>,
}

/// The answer given most often: the collapse onto one class shows here.
#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    /// The class answered most often.
    pub class: &'static str,
    /// Its share of the answers.
    pub answered: f64,
    /// Its share of the truth.
    pub truth: f64,
}

impl Spread {
    /// How many times its true share the top answer is given (infinite for a class absent
    /// from the truth).
    pub fn ratio(&self) -> f64 {
        if self.truth > 0.0 {
            self.answered / self.truth
        } else {
            f64::INFINITY
        }
    }
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
        let uar = present.iter().map(|c| c.recall).sum::<f64>() / present.len().max(1) as f64;
        let predicted_share: Vec<f64> = (0..Emotion::COUNT)
            .map(|p| {
                (0..Emotion::COUNT).map(|t| confusion[t][p]).sum::<usize>() as f64 / n.max(1) as f64
            })
            .collect();
        let top = (0..Emotion::COUNT)
            .max_by(|&a, &b| {
                predicted_share[a]
                    .total_cmp(&predicted_share[b])
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        let spread = Spread {
            class: Emotion::ALL[top].name(),
            answered: predicted_share[top],
            truth: per_class[top].support as f64 / n.max(1) as f64,
        };
        Self {
            n,
            accuracy: correct as f64 / n.max(1) as f64,
            macro_f1,
            uar,
            spread,
            per_class,
            confusion,
            predicted_share,
        }
    }

    /// One line of a per-group table: clips, accuracy, UAR, macro-F1 and the top answer against
    /// its true share (the header is [`Report::ROW_HEADER`]).
    pub fn row(&self) -> String {
        format!(
            "{:>7}{:>9.1}%{:>8.3}{:>10.3}  {:<8} {:>3.0} % ({:>2.0} %)",
            self.n,
            100.0 * self.accuracy,
            self.uar,
            self.macro_f1,
            self.spread.class,
            100.0 * self.spread.answered,
            100.0 * self.spread.truth
        )
    }

    /// The header of [`Report::row`].
    pub const ROW_HEADER: &str = "  clips  accuracy     UAR  macro-F1  most answered (truth)";

    /// The report as terminal tables.
    pub fn table(&self) -> String {
        let mut out = format!(
            "clips {}  accuracy {:.1} %  UAR {:.3}  macro-F1 {:.3}  most answered {} {:.0} % (truth {:.0} %)\n\n{:<10}{:>10}{:>8}{:>8}{:>9}{:>11}\n",
            self.n,
            100.0 * self.accuracy,
            self.uar,
            self.macro_f1,
            self.spread.class,
            100.0 * self.spread.answered,
            100.0 * self.spread.truth,
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
        assert_eq!(constant.uar, 0.25);
        assert_eq!(constant.spread.class, "sad");
        assert_eq!(constant.spread.ratio(), 4.0);
        assert_eq!(perfect.spread.ratio(), 1.0);
    }

    #[test]
    fn uar_ignores_classes_absent_from_the_truth() {
        // Two neutral right, one sad taken for happy: recall 1 and 0 over the two present
        // classes, whatever is answered for classes the corpus lacks.
        let report = Report::new(&[(Neutral, Neutral), (Neutral, Neutral), (Sad, Happy)]);
        assert_eq!(report.uar, 0.5);
        assert!((report.accuracy - 2.0 / 3.0).abs() < 1e-12);
    }
}

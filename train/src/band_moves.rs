//! Test-time band moves, measured: protocol (d)'s test clips classified again, each window's
//! probabilities the mean over copies of its input with the log-mel bands moved by a few bands
//! ([`Classifier::with_band_moves`]), on the same networks as the plain answers. Nothing is
//! retrained. Training moves the bands by up to ±3 so that a voice whose formants sit higher or
//! lower still looks familiar; this asks whether averaging over moves at test time carries that
//! to voices and languages never heard (nested (d) decides, `scripts/nested_loco.sh`).

use serde::Serialize;
use speech_emotion::Classifier;

use crate::corpus::Clip;
use crate::evaluation::evaluate_clips;
use crate::metrics::Report;

/// The sets of moves each (d) fold measures, beside the plain answers.
pub const MEASURED: [&[isize]; 2] = [&[-2, -1, 0, 1, 2], &[-1, 0, 1]];

/// One set of moves on one fold's test clips.
#[derive(Debug, Clone, Serialize)]
pub struct BandMoved {
    pub moves: Vec<isize>,
    /// The test clips, classified from their files as `predict` does, with the moves.
    pub report: Report,
}

/// Every set of [`MEASURED`] moves on `clips`, classified by `classifier` with them.
pub fn measure(classifier: &Classifier, clips: &[&Clip]) -> speech_emotion::Result<Vec<BandMoved>> {
    MEASURED
        .iter()
        .map(|moves| {
            let moved = classifier.with_band_moves(moves)?;
            Ok(BandMoved {
                moves: moves.to_vec(),
                report: Report::new(&evaluate_clips(&moved, clips).pairs()),
            })
        })
        .collect()
}

/// Over the folds (each with its [`measure`]), per set of moves: the mean and lowest UAR and
/// the worst top answer over its true share, as (d) reports the plain answers.
pub fn summary(folds: &[&[BandMoved]]) -> Vec<serde_json::Value> {
    let Some(first) = folds.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|k| {
            let reports: Vec<&Report> = folds.iter().map(|f| &f[k].report).collect();
            let uars = reports.iter().map(|r| r.uar);
            serde_json::json!({
                "moves": first[k].moves,
                "mean_uar": uars.clone().sum::<f64>() / reports.len() as f64,
                "min_uar": uars.fold(f64::INFINITY, f64::min),
                "max_spread_ratio": reports.iter().map(|r| r.spread.ratio()).fold(0.0, f64::max),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use speech_emotion::Emotion::{Angry, Happy, Sad};

    fn moved(
        moves: &[isize],
        pairs: &[(speech_emotion::Emotion, speech_emotion::Emotion)],
    ) -> BandMoved {
        BandMoved {
            moves: moves.to_vec(),
            report: Report::new(pairs),
        }
    }

    #[test]
    fn the_summary_is_per_set_of_moves_over_the_folds() {
        let right = [(Happy, Happy), (Sad, Sad)];
        let half = [(Happy, Happy), (Sad, Happy)];
        let wrong = [(Happy, Angry), (Sad, Angry)];
        let first = [moved(&[-1, 0, 1], &right), moved(&[0, 2], &half)];
        let second = [moved(&[-1, 0, 1], &half), moved(&[0, 2], &wrong)];
        let summary = summary(&[&first, &second]);
        assert_eq!(summary.len(), 2);
        assert_eq!(summary[0]["moves"], serde_json::json!([-1, 0, 1]));
        assert_eq!(summary[0]["mean_uar"], 0.75);
        assert_eq!(summary[0]["min_uar"], 0.5);
        assert_eq!(summary[0]["max_spread_ratio"], 2.0);
        assert_eq!(summary[1]["mean_uar"], 0.25);
        assert_eq!(summary[1]["min_uar"], 0.0);
        assert_eq!(summary[1]["max_spread_ratio"], serde_json::Value::Null);
        assert!(super::summary(&[]).is_empty());
    }
}

//! Protocol (d), leave one corpus out: for each corpus present, the networks trained on the
//! others are tested on it (a language, a room, voices never heard), with a confusion image per
//! corpus; the mean UAR over the corpora is the development figure that counts.

use std::path::Path;

use serde_json::json;

use crate::adaptation::{self, SetNormalised};
use crate::balance::{self, Balanced};
use crate::corpus::Corpus;
use crate::metrics::Report;
use crate::plot::confusion_png;
use crate::protocol::{Protocol, corpora};
use crate::run::{Setup, run_many, run_name};

/// Protocol (d): one run per corpus present, testing on it after training on the others; a
/// confusion image per corpus, and the mean and lowest UAR over the corpora.
pub fn leave_one_corpus_out(
    setup: &Setup,
    out: &Path,
) -> Result<serde_json::Map<String, serde_json::Value>, Box<dyn std::error::Error>> {
    let mut folds = serde_json::Map::new();
    let mut summary = Vec::new();
    let mut adapted = Vec::new();
    let mut balanced = Vec::new();
    let held = corpora(setup.clips);
    let specs: Vec<(Protocol, Option<Corpus>)> =
        held.iter().map(|&c| (Protocol::D, Some(c))).collect();
    for (corpus, outcome) in held.into_iter().zip(run_many(setup, &specs)?) {
        let Some(outcome) = outcome else {
            eprintln!(
                "{}: not enough data for training and validation, skipped",
                run_name(Protocol::D, Some(corpus))
            );
            continue;
        };
        let report = outcome.report.as_ref().ok_or("a fold without test clips")?;
        let title = format!(
            "(d) {} held out, trained on the other corpora",
            corpus.name()
        );
        let image = out.join(format!("confusion-d-{}.png", corpus.name().to_lowercase()));
        confusion_png(report, &title, &image)?;
        let valid = outcome
            .entry
            .get("valid_uar")
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        summary.push((corpus.name(), report.clone(), valid));
        adapted.push((corpus.name(), outcome.set_normalised));
        balanced.push((corpus.name(), outcome.balanced));
        folds.insert(
            corpus.name().into(),
            serde_json::Value::Object(outcome.entry),
        );
    }
    if summary.is_empty() {
        return Err("protocol d needs at least two corpora".into());
    }
    eprintln!(
        "\n(d) leave one corpus out\n{:<9}{}   validation UAR",
        "held out",
        Report::ROW_HEADER
    );
    for (name, r, valid) in &summary {
        eprintln!("{name:<9}{}   {valid:.3}", r.row());
    }
    let n = summary.len() as f64;
    let mean = |f: &dyn Fn(&(&str, Report, f64)) -> f64| summary.iter().map(f).sum::<f64>() / n;
    let without_prior = mean_uar_without_prior(&folds);
    let measured: Vec<(&str, &[SetNormalised])> = adapted
        .iter()
        .map(|(name, m)| (*name, m.as_slice()))
        .collect();
    let set_normalised = adaptation::summary(&measured);
    let balanced_folds: Vec<(&str, &[Balanced])> = balanced
        .iter()
        .map(|(name, m)| (*name, m.as_slice()))
        .collect();
    let balanced_summary = balance::summary(&balanced_folds);
    let entry = json!({
        "protocol": Protocol::D.describe(),
        "unit": "clip, classified from its file exactly as `predict` does",
        "mean_uar": mean(&|s| s.1.uar),
        "min_uar": summary.iter().map(|s| s.1.uar).fold(f64::INFINITY, f64::min),
        "mean_accuracy": mean(&|s| s.1.accuracy),
        "mean_macro_f1": mean(&|s| s.1.macro_f1),
        "max_spread_ratio": summary.iter().map(|s| s.1.spread.ratio()).fold(0.0, f64::max),
        "mean_valid_uar": mean(&|s| s.2),
        "mean_uar_without_prior": without_prior,
        "set_normalised": set_normalised,
        "balanced": balanced_summary,
        "folds": folds,
    });
    if let Some(plain) = without_prior {
        eprintln!("(d) mean UAR with the training prior kept (the same networks): {plain:.3}");
    }
    eprintln!(
        "(d) mean UAR {:.3}, lowest {:.3}, mean accuracy {:.1} %; decided on: mean validation UAR {:.3}",
        entry["mean_uar"].as_f64().unwrap_or(0.0),
        entry["min_uar"].as_f64().unwrap_or(0.0),
        100.0 * entry["mean_accuracy"].as_f64().unwrap_or(0.0),
        entry["mean_valid_uar"].as_f64().unwrap_or(0.0),
    );
    match entry {
        serde_json::Value::Object(map) => Ok(map),
        _ => unreachable!("json! of an object"),
    }
}

/// The mean UAR over the folds as their models answer with the training prior kept, when every
/// fold measured it (models that take the prior out measure both).
fn mean_uar_without_prior(folds: &serde_json::Map<String, serde_json::Value>) -> Option<f64> {
    let uars: Option<Vec<f64>> = folds
        .values()
        .map(|fold| fold["report_without_prior"]["uar"].as_f64())
        .collect();
    uars.filter(|u| !u.is_empty())
        .map(|u| u.iter().sum::<f64>() / u.len() as f64)
}

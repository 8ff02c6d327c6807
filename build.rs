//! Embeds the shipped model's metadata as the page needs it: everything the model uses
//! (classes, features, normalisation, calibration, architecture) whole and exact, but of the
//! training record, the evaluation and the calibration's figures only the fields the model card
//! reads ([`SHOWN`]), with those figures to four significant digits (the card shows percentages
//! or two decimals).
//! `models/emotion-cnn.json` keeps all of it, readable in the repository; embedded, the page's
//! copy is 2.2 KB gzipped against 36 KB for the whole file without its pretty-printing.

use std::path::Path;

use serde_json::{Map, Value};

/// The fields of [`RECORDS`] that the model (the calibration's temperature, margin and prior)
/// and `www/model-card.js` read, as paths of keys; `*` stands for every key of an object or
/// every item of an array (an array keeps the items a path reaches).
const SHOWN: [&str; 24] = [
    "calibration/temperature",
    "calibration/unsure_margin",
    "calibration/prior",
    "calibration/figures/unsure_share",
    "calibration/figures/accuracy_when_sure",
    "calibration/figures/accuracy_when_unsure",
    "training/data/clips",
    "training/data/per_corpus",
    "evaluation/a/unit",
    "evaluation/a/report/accuracy",
    "evaluation/a/report/macro_f1",
    "evaluation/a/report/n",
    "evaluation/c/unit",
    "evaluation/c/protocol",
    "evaluation/c/report/accuracy",
    "evaluation/c/report/macro_f1",
    "evaluation/c/report/n",
    "evaluation/c/per_corpus/*/accuracy",
    "evaluation/d/folds/*/report/uar",
    "evaluation/d/folds/*/report/accuracy",
    "evaluation/d/folds/*/report/per_class/*/class",
    "evaluation/d/folds/*/report/per_class/*/recall",
    "evaluation/d/folds/*/report/per_class/*/support",
    "evaluation/d/folds/*/report/spread",
];

/// The top-level fields cut down to [`SHOWN`]; every other one is what the model uses, kept.
const RECORDS: [&str; 3] = ["calibration", "training", "evaluation"];

/// The figures rounded to four significant digits (JSON pointers): what the card shows, never
/// what the model computes with (the calibration's temperature, margin and prior stay exact).
const ROUNDED: [&str; 3] = ["/calibration/figures", "/training", "/evaluation"];

/// The part of `value` that `paths` (split into keys) reach, or `None` if they reach nothing.
/// A path that ends here keeps the whole value.
fn pick(value: &Value, paths: &[Vec<&str>]) -> Option<Value> {
    if paths.is_empty() {
        return None;
    }
    if paths.iter().any(Vec::is_empty) {
        return Some(value.clone());
    }
    let below = |key: &str| -> Vec<Vec<&str>> {
        paths
            .iter()
            .filter(|path| path[0] == key || path[0] == "*")
            .map(|path| path[1..].to_vec())
            .collect()
    };
    match value {
        Value::Object(map) => {
            let kept: Map<String, Value> = map
                .iter()
                .filter_map(|(key, v)| Some((key.clone(), pick(v, &below(key))?)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let below = below("*");
            let kept: Vec<Value> = items.iter().filter_map(|v| pick(v, &below)).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    }
}

/// Rounds every figure to four significant digits.
fn round(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(round),
        Value::Array(items) => items.iter_mut().for_each(round),
        Value::Number(n) if n.is_f64() => {
            let rounded = n
                .as_f64()
                .and_then(|x| format!("{x:.3e}").parse::<f64>().ok())
                .and_then(serde_json::Number::from_f64);
            if let Some(rounded) = rounded {
                *n = rounded;
            }
        }
        _ => {}
    }
}

fn main() {
    let source = "models/emotion-cnn.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut paths: Vec<Vec<&str>> = SHOWN.iter().map(|p| p.split('/').collect()).collect();
    if let Value::Object(map) = &value {
        let used = map.keys().filter(|key| !RECORDS.contains(&key.as_str()));
        paths.extend(used.map(|key| vec![key.as_str()]));
    }
    let mut shown = pick(&value, &paths).expect("the metadata is an object");
    for pointer in ROUNDED {
        if let Some(figures) = shown.pointer_mut(pointer) {
            round(figures);
        }
    }
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("emotion-cnn.json");
    std::fs::write(
        &out,
        serde_json::to_string(&shown).expect("a parsed value serialises"),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

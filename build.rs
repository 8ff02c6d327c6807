//! Embeds the shipped model's metadata without its pretty-printing and without the training
//! record the page never shows (under `evaluation`: each network's epoch-by-epoch history, the
//! per-speaker figures, the lists of speakers in each split, the confusion matrices, the share
//! of each answer, each class's precision and F1, and each (d) fold's per-corpus figures, which
//! repeat its report), and with its figures to four significant digits (the page shows them
//! as percentages or to two decimals; the normalisation and calibration, which the model uses,
//! stay exact): `models/emotion-cnn.json` keeps all of it, readable in the repository, and the
//! page downloads about 40 KB (gzipped) less.

use std::path::Path;

use serde_json::Value;

/// Keys dropped anywhere under `evaluation` in the embedded copy.
const NOT_SHOWN: [&str; 7] = [
    "networks",
    "per_speaker",
    "speakers",
    "confusion",
    "predicted_share",
    "precision",
    "f1",
];

/// Drops the training record and rounds every figure to four significant digits.
fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in NOT_SHOWN {
                map.remove(key);
            }
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
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
    let mut value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    if let Some(evaluation) = value.get_mut("evaluation") {
        strip(evaluation);
        // Each (d) fold tests one corpus: its per-corpus figures repeat its report.
        if let Some(Value::Object(folds)) = evaluation.pointer_mut("/d/folds") {
            for fold in folds.values_mut().filter_map(Value::as_object_mut) {
                fold.remove("per_corpus");
            }
        }
    }
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("emotion-cnn.json");
    std::fs::write(
        &out,
        serde_json::to_string(&value).expect("a parsed value serialises"),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

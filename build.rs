//! Embeds the shipped model's metadata without its pretty-printing and without the training
//! record the page never shows (under `evaluation`: each network's epoch-by-epoch history, the
//! per-speaker figures, the lists of speakers in each split, the confusion matrices and the
//! share of each answer): `models/emotion-cnn.json` keeps all of it, readable in the repository,
//! and the page downloads about 37 KB (gzipped) less.

use std::path::Path;

use serde_json::Value;

/// Keys dropped anywhere under `evaluation` in the embedded copy.
const TRAINING_RECORD: [&str; 5] = [
    "networks",
    "per_speaker",
    "speakers",
    "confusion",
    "predicted_share",
];

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in TRAINING_RECORD {
                map.remove(key);
            }
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
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
    }
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("emotion-cnn.json");
    std::fs::write(
        &out,
        serde_json::to_string(&value).expect("a parsed value serialises"),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

//! Embeds the shipped model's metadata without its pretty-printing: `models/emotion-cnn.json`
//! stays readable in the repository, and the page downloads about 10 KB (gzipped) less.

use std::path::Path;

fn main() {
    let source = "models/emotion-cnn.json";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("emotion-cnn.json");
    std::fs::write(
        &out,
        serde_json::to_string(&value).expect("a parsed value serialises"),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

//! The `train` binary as a user runs it: corpora found by name (also in the original releases
//! and under CREMA-D names), quick training that learns and writes a model that reloads, and
//! `predict` / `evaluate` on real clips.

use std::path::{Path, PathBuf};
use std::process::Command;

mod features;
mod half;
mod leave_one_out;
mod predict;
mod training;

/// The `train` binary under test.
fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_train"))
}

/// `../shared/data`, beside the project root.
fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// A fresh directory for one test's files.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("train-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `train train ARGS` on the shared data, writing to `out`.
fn train_into(out: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .arg("train")
        .args(args)
        .arg("--data")
        .arg(data())
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Runs `command`, asserts that it succeeded (its stderr shown if not) and returns its JSON
/// output with its stderr.
fn json_output(command: &mut Command) -> (serde_json::Value, String) {
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    (serde_json::from_slice(&output.stdout).unwrap(), stderr)
}

/// The JSON file at `path` (a model's metadata or a run's figures), which must exist and parse.
fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A 16-bit mono WAV of a tone with a syllable-like envelope.
fn write_wav(path: &Path, rate: u32, seconds: f32, freq: f32) {
    let n = (rate as f32 * seconds) as usize;
    let mut data = Vec::with_capacity(n * 2);
    for i in 0..n {
        let t = i as f32 / rate as f32;
        let envelope = (std::f32::consts::PI * t / seconds).sin();
        let x = 0.4 * envelope * (std::f32::consts::TAU * freq * t).sin();
        data.extend(((x * 32767.0) as i16).to_le_bytes());
    }
    let mut out = Vec::new();
    out.extend(b"RIFF");
    out.extend((36 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(rate.to_le_bytes());
    out.extend((rate * 2).to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(16u16.to_le_bytes());
    out.extend(b"data");
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    std::fs::write(path, out).unwrap();
}

//! `predict FILE... [--json] [--timeline] [--csv OUT]`: the emotion of each file, one line each.
//! A file that cannot be read is reported and the others go on; the exit status is 1 if any
//! failed. Directories are walked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::prediction::Prediction;
use speech_emotion::{Classifier, Emotion};

use super::model_choice::ModelArg;
use crate::corpus::audio_files;

/// Arguments of the `predict` command.
#[derive(clap::Args)]
pub struct Args {
    /// Audio files or directories (walked recursively).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
    /// Also print the per-window timeline (start, end, emotion; silence marked as such).
    #[arg(long)]
    timeline: bool,
    /// Write every file's timeline as CSV to this path.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Refuse audio longer than this many seconds.
    #[arg(long, default_value_t = DecodeOptions::default().max_duration_s)]
    max_seconds: f64,
    #[command(flatten)]
    model: ModelArg,
}

/// The files to classify: files as given, directories walked.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            out.extend(audio_files(path).map_err(|e| format!("{}: {e}", path.display()))?);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Classifies one file with the library's whole pipeline.
pub fn classify_file(
    classifier: &Classifier,
    path: &Path,
    max_seconds: f64,
) -> speech_emotion::Result<Prediction> {
    let (audio, _) = load_file(
        path,
        classifier.sample_rate(),
        DecodeOptions {
            max_duration_s: max_seconds,
        },
    )?;
    classifier.classify_resampled(&audio.samples)
}

fn emotion_name(e: Option<Emotion>) -> &'static str {
    e.map_or("no speech", Emotion::name)
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let classifier = args.model.load()?;
    let files = expand(&args.files)?;
    if files.is_empty() {
        return Err("no audio files found".into());
    }
    let mut csv = match &args.csv {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
            );
            let names: Vec<&str> = Emotion::ALL.iter().map(|e| e.name()).collect();
            writeln!(file, "file,start,end,emotion,{}", names.join(","))?;
            Some(file)
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failures = 0;
    for path in &files {
        let shown = path.display().to_string();
        match classify_file(&classifier, path, args.max_seconds) {
            Ok(p) => {
                if args.json {
                    let mut value = json!({
                        "file": shown,
                        "emotion": p.emotion,
                        "confidence": p.confidence,
                        "probabilities": p.probabilities,
                    });
                    if args.timeline {
                        value["timeline"] = serde_json::to_value(&p.timeline)?;
                        value["duration"] = json!(p.duration);
                    }
                    writeln!(out, "{value}")?;
                } else {
                    let spread: Vec<String> = Emotion::ALL
                        .iter()
                        .map(|e| format!("{} {:.2}", e.name(), p.probabilities.0[e.index()]))
                        .collect();
                    writeln!(
                        out,
                        "{shown}: {} ({:.0} %)   [{}]",
                        emotion_name(p.emotion),
                        100.0 * p.confidence,
                        spread.join(", ")
                    )?;
                    if args.timeline {
                        for s in &p.timeline {
                            writeln!(
                                out,
                                "    {:>8.2} - {:>8.2} s  {}",
                                s.start,
                                s.end,
                                emotion_name(s.emotion)
                            )?;
                        }
                    }
                }
                if let Some(file) = csv.as_mut() {
                    for s in &p.timeline {
                        let probs: Vec<String> = match &s.probabilities {
                            Some(pr) => pr.0.iter().map(|v| format!("{v:.5}")).collect(),
                            None => vec![String::new(); Emotion::COUNT],
                        };
                        writeln!(
                            file,
                            "\"{}\",{:.3},{:.3},{},{}",
                            shown.replace('"', "\"\""),
                            s.start,
                            s.end,
                            s.emotion.map_or("silence", Emotion::name),
                            probs.join(",")
                        )?;
                    }
                }
            }
            Err(e) => {
                failures += 1;
                if args.json {
                    writeln!(out, "{}", json!({"file": shown, "error": e.to_string()}))?;
                } else {
                    writeln!(out, "{shown}: error: {e}")?;
                }
            }
        }
    }
    if let Some(mut file) = csv {
        file.flush()?;
    }
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

//! `predict FILE... [--json] [--timeline] [--csv OUT]`: the emotion of each file, one line each.
//! A file that cannot be read is reported and the others go on; the exit status is 1 if any
//! failed. Directories are walked. Files are classified on every core (a single file's windows
//! are), and reported in the order given as soon as each is ready (with `--balance-set`, once
//! all are).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::parallel::for_each_in_order;
use speech_emotion::prediction::Prediction;
use speech_emotion::{Among, Classifier, Emotion};

use super::model_choice::ModelArg;
use super::set_balanced::classify_balanced;
use super::set_standardised::standardised_by;
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
    /// Also print the timeline: the windows merged into stretches with one answer each, from 0
    /// to the end of the file (start, end, emotion or "no speech", windows merged).
    #[arg(long)]
    timeline: bool,
    /// Write every file's timeline (the same stretches) as CSV to this path.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Refuse audio longer than this many seconds.
    #[arg(long, default_value_t = DecodeOptions::default().max_duration_s)]
    max_seconds: f64,
    /// Threads classifying: files in parallel, or one file's windows when there are fewer files.
    #[arg(long, default_value_t = super::all_cores(), value_parser = super::parse_threads)]
    threads: usize,
    /// Take the files as one set of recordings from one source (a corpus, a microphone, a
    /// room) and standardise their inputs by the set's own mean and deviation instead of the
    /// training set's: each answer then depends on the set. Validated on unheard corpora, whole
    /// and in sets of 25 clips, by nested leave-one-corpus-out (README); needs at least 30
    /// speech windows (about 12-25 clips).
    #[arg(long, conflicts_with = "balance_set")]
    standardise_set: bool,
    /// Take the files as one set of recordings from one source and answer each by its lead over
    /// the set's mean answer (its probabilities divided by the set's mean probabilities), so
    /// that a source the model leans on does not get one answer for everything. Validated on
    /// unheard corpora by nested leave-one-corpus-out (README); every file is classified before
    /// any is printed; needs at least 25 files with speech (fewer are answered as trained); the
    /// timelines stay as trained. Not for files that all carry one emotion.
    #[arg(long)]
    balance_set: bool,
    /// Answer only among these emotions (comma-separated, at least two: say which your
    /// recordings can carry). Each window's probabilities are conditioned on them, so no
    /// answer falls outside them; the others print as 0.
    #[arg(long, value_delimiter = ',', value_name = "EMOTIONS")]
    among: Vec<String>,
    #[command(flatten)]
    model: ModelArg,
}

/// The files to classify: files as given, directories walked.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
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

/// Classifies one file with the library's whole pipeline, its windows on `threads` threads.
pub fn classify_file(
    classifier: &Classifier,
    path: &Path,
    max_seconds: f64,
    threads: usize,
) -> speech_emotion::Result<Prediction> {
    let (audio, _) = load_file(
        path,
        classifier.sample_rate(),
        DecodeOptions {
            max_duration_s: max_seconds,
        },
    )?;
    classifier.classify_resampled_on(&audio.samples, threads)
}

fn emotion_name(e: Option<Emotion>) -> &'static str {
    e.map_or("no speech", Emotion::name)
}

/// The answer in words: "angry (62 %)", or "unsure: happy or surprise (41 % / 38 %)" when the
/// two are too close to call.
fn headline(p: &Prediction) -> String {
    let share = |e: Option<Emotion>| e.map_or(0.0, |e| 100.0 * p.probabilities.0[e.index()]);
    match (p.emotion, p.runner_up) {
        (Some(first), Some(second)) if p.uncertain => format!(
            "unsure: {} or {} ({:.0} % / {:.0} %)",
            first.name(),
            second.name(),
            share(Some(first)),
            share(Some(second))
        ),
        _ => format!(
            "{} ({:.0} %)",
            emotion_name(p.emotion),
            100.0 * p.confidence
        ),
    }
}

/// The classes `--among` names (every class without it), said on stderr when restricted.
fn among(names: &[String]) -> speech_emotion::Result<Among> {
    if names.is_empty() {
        return Ok(Among::ALL);
    }
    let among = Among::parse(names)?;
    let classes: Vec<&str> = among.classes().iter().map(|e| e.name()).collect();
    eprintln!("answering among {} only (--among)", classes.join(", "));
    Ok(among)
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let among = among(&args.among)?;
    let mut classifier = args.model.load()?;
    classifier.answer_among(among);
    let files = expand(&args.files)?;
    if files.is_empty() {
        return Err("no audio files found".into());
    }
    let threads = args.threads;
    let classifier = if args.standardise_set {
        standardised_by(&classifier, &files, args.max_seconds, threads)?
    } else {
        classifier
    };
    let mut csv = open_csv(args.csv.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failures = 0;
    let mut written: std::io::Result<()> = Ok(());
    let per_file = (threads / files.len()).max(1);
    let classify = |path: &PathBuf| classify_file(&classifier, path, args.max_seconds, per_file);
    let mut show = |i: usize, result: speech_emotion::Result<Prediction>, balanced: bool| {
        failures += usize::from(result.is_err());
        if written.is_ok() {
            written = report(&mut out, csv.as_mut(), &files[i], &result, balanced, &args);
        }
    };
    if args.balance_set {
        let (results, balanced) = classify_balanced(&classifier, &files, threads, classify);
        for (i, result) in results.into_iter().enumerate() {
            show(i, result, balanced);
        }
    } else {
        for_each_in_order(
            &files,
            threads,
            |_, path| classify(path),
            |i, result| show(i, result, false),
        );
    }
    written?;
    if let Some(mut file) = csv {
        file.flush()?;
    }
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

type CsvFile = std::io::BufWriter<std::fs::File>;

/// The CSV export with its header, if one was asked for.
fn open_csv(path: Option<&Path>) -> Result<Option<CsvFile>, Box<dyn std::error::Error>> {
    let Some(path) = path else { return Ok(None) };
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    let names: Vec<&str> = Emotion::ALL.iter().map(|e| e.name()).collect();
    writeln!(
        file,
        "file,start,end,emotion,uncertain,windows,{}",
        names.join(",")
    )?;
    Ok(Some(file))
}

/// Prints one file's answer (or error) and appends its timeline to the CSV.
fn report(
    out: &mut impl Write,
    csv: Option<&mut CsvFile>,
    path: &Path,
    result: &speech_emotion::Result<Prediction>,
    balanced: bool,
    args: &Args,
) -> std::io::Result<()> {
    let shown = path.display().to_string();
    let p = match result {
        Ok(p) => p,
        Err(e) if args.json => {
            return writeln!(out, "{}", json!({"file": shown, "error": e.to_string()}));
        }
        Err(e) => return writeln!(out, "{shown}: error: {e}"),
    };
    if args.json {
        let mut value = json!({
            "file": shown,
            "emotion": p.emotion,
            "confidence": p.confidence,
            "uncertain": p.uncertain,
            "top_two": [p.emotion, p.runner_up],
            "probabilities": p.probabilities,
        });
        if args.balance_set {
            value["balanced_with_set"] = json!(balanced && p.emotion.is_some());
        }
        if args.timeline {
            value["segments"] = serde_json::to_value(&p.segments)?;
            value["timeline"] = serde_json::to_value(&p.timeline)?;
            value["duration"] = json!(p.duration);
        }
        writeln!(out, "{value}")?;
    } else {
        let spread: Vec<String> = Emotion::ALL
            .iter()
            .map(|e| format!("{} {:.2}", e.name(), p.probabilities.0[e.index()]))
            .collect();
        let with_set = if balanced && p.emotion.is_some() {
            ", balanced with its set"
        } else {
            ""
        };
        writeln!(
            out,
            "{shown}: {}{with_set}   [{}]",
            headline(p),
            spread.join(", ")
        )?;
        if args.timeline {
            writeln!(
                out,
                "    {:>8} - {:>8}    emotion (windows)",
                "start s", "end s"
            )?;
            for s in &p.segments {
                let unsure = if s.uncertain { ", unsure" } else { "" };
                writeln!(
                    out,
                    "    {:>8.2} - {:>8.2}    {} ({}{unsure})",
                    s.start,
                    s.end,
                    emotion_name(s.emotion),
                    s.windows
                )?;
            }
        }
    }
    if let Some(file) = csv {
        for s in &p.segments {
            let probs: Vec<String> = match &s.probabilities {
                Some(pr) => pr.0.iter().map(|v| format!("{v:.5}")).collect(),
                None => vec![String::new(); Emotion::COUNT],
            };
            writeln!(
                file,
                "\"{}\",{:.3},{:.3},{},{},{},{}",
                shown.replace('"', "\"\""),
                s.start,
                s.end,
                s.emotion.map_or("no speech", Emotion::name),
                s.uncertain,
                s.windows,
                probs.join(",")
            )?;
        }
    }
    Ok(())
}

//! `calibrate [--model M.json] [--data ROOT]`: fits a trained model's calibration (training
//! prior, temperature and unsure margin, see `speech_emotion::calibration`) on the validation
//! speakers of `--data`, who are never trained on, prints how it scored and writes it into the
//! metadata.
//! Training runs it on the shipped model by itself.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use speech_emotion::Classifier;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::calibration::Calibration;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::parallel::map_in_order;

use crate::calibration::{PRIOR_CORRECTION, Scored, class_prior, fit};
use crate::corpus::{Clip, scan};
use crate::protocol::validation;

/// Arguments of the `calibrate` command.
#[derive(clap::Args)]
pub struct Args {
    /// The model's metadata JSON; its record is the .bin beside it.
    #[arg(long, default_value = "models/emotion-cnn.json")]
    model: PathBuf,
    /// Data root whose validation speakers the calibration is fitted on.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Threads classifying the clips.
    #[arg(long, default_value_t = super::all_cores(), value_parser = super::parse_threads)]
    threads: usize,
    /// Take the class shares of the training clips (every clip of `--data` but the validation
    /// speakers) out of each window's probabilities. Either way the validation UAR with and
    /// without it is measured and printed.
    #[arg(long, default_value_t = PRIOR_CORRECTION, action = clap::ArgAction::Set)]
    prior_correction: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let found = scan(&args.data)
        .map_err(|e| format!("cannot read the data root {}: {e}", args.data.display()))?;
    calibrate_model(
        &args.model,
        &found.clips,
        args.threads,
        args.prior_correction,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Fits the calibration of the model at `model_json` on the validation speakers among `clips`
/// (with the training clips' prior taken out when `prior_correction`), prints its figures and
/// writes it into the metadata.
pub fn calibrate_model(
    model_json: &Path,
    clips: &[Clip],
    threads: usize,
    prior_correction: bool,
) -> Result<Calibration, Box<dyn std::error::Error>> {
    let shown = |e: &dyn std::fmt::Display| format!("{}: {e}", model_json.display());
    let text = std::fs::read_to_string(model_json).map_err(|e| shown(&e))?;
    let mut metadata: ModelMetadata = serde_json::from_str(&text).map_err(|e| shown(&e))?;
    let record_path = model_json.with_extension("bin");
    let record =
        std::fs::read(&record_path).map_err(|e| format!("{}: {e}", record_path.display()))?;
    let raw = Classifier::new(
        &record,
        ModelMetadata {
            calibration: None,
            ..metadata.clone()
        },
    )?;
    let validating: Vec<&Clip> = clips.iter().filter(|c| validation(c)).collect();
    if validating.is_empty() {
        return Err("no validation speakers among the clips: nothing to calibrate on".into());
    }
    let scored: Vec<Scored> = map_in_order(&validating, threads, |_, clip| score(&raw, clip))
        .into_iter()
        .flatten()
        .collect();
    let prior = class_prior(clips.iter().filter(|c| !validation(c)));
    let calibration = fit(&scored, &prior, prior_correction);
    let f = &calibration.figures;
    eprintln!(
        "mean validation UAR over the corpora: {:.4} as trained, {:.4} with the training prior taken out ({})",
        f["mean_corpus_uar_without_prior"]
            .as_f64()
            .unwrap_or(f64::NAN),
        f["mean_corpus_uar_with_prior"].as_f64().unwrap_or(f64::NAN),
        if prior_correction {
            "taken out"
        } else {
            "kept"
        },
    );
    for (corpus, uar) in f["corpus_uar_without_prior"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let with = &f["corpus_uar_with_prior"][corpus];
        eprintln!(
            "  {corpus:<8} {:.4} -> {:.4}",
            uar.as_f64().unwrap_or(f64::NAN),
            with.as_f64().unwrap_or(f64::NAN)
        );
    }
    let pct = |key: &str| 100.0 * f[key].as_f64().unwrap_or(f64::NAN);
    eprintln!(
        "calibration on {} validation recordings: temperature {:.2}; expected calibration error {:.3} -> {:.3}; \
         unsure below a top-two margin of {:.2}: {:.0} % of answers, right {:.0} % of the time when sure and {:.0} % when unsure ({:.0} % overall)",
        scored.len(),
        calibration.temperature,
        f["ece_before"].as_f64().unwrap_or(f64::NAN),
        f["ece_after"].as_f64().unwrap_or(f64::NAN),
        calibration.unsure_margin,
        pct("unsure_share"),
        pct("accuracy_when_sure"),
        pct("accuracy_when_unsure"),
        pct("accuracy"),
    );
    metadata.calibration = Some(calibration.clone());
    std::fs::write(model_json, serde_json::to_string_pretty(&metadata)?)?;
    Ok(calibration)
}

/// A validation clip's window probabilities before calibration (`None` if it cannot be read
/// or holds no speech).
fn score(classifier: &Classifier, clip: &Clip) -> Option<Scored> {
    let (audio, _) = load_file(
        &clip.path,
        classifier.sample_rate(),
        DecodeOptions::default(),
    )
    .ok()?;
    let prediction = classifier.classify_resampled(&audio.samples).ok()?;
    let windows: Vec<_> = prediction
        .timeline
        .iter()
        .filter_map(|s| s.probabilities)
        .collect();
    (!windows.is_empty()).then_some(Scored {
        windows,
        label: clip.emotion,
        corpus: clip.corpus,
    })
}

//! `evaluate --data DIR`: scores a model on any labelled folder (corpus file names), with the
//! same tables and confusion-matrix image as training.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::corpus::{Clip, scan};
use crate::evaluation::{evaluate_clips, grouped_reports};
use crate::metrics::Report;
use crate::plot::confusion_png;

use super::model_choice::ModelArg;

/// Arguments of the `evaluate` command.
#[derive(clap::Args)]
pub struct Args {
    /// A folder of clips named as RAVDESS, TESS, SAVEE or CREMA-D name them.
    #[arg(long)]
    data: PathBuf,
    /// Write the confusion matrix as a PNG here.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Print the report as JSON instead of tables.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArg,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let classifier = args.model.load()?;
    let found = scan(&args.data).map_err(|e| format!("{}: {e}", args.data.display()))?;
    eprintln!("{}", found.report());
    if found.clips.is_empty() {
        return Err(format!("no labelled clips under {}", args.data.display()).into());
    }
    let clips: Vec<&Clip> = found.clips.iter().collect();
    let outcome = evaluate_clips(&classifier, &clips);
    let unread = outcome
        .scored
        .iter()
        .filter(|s| s.predicted.is_none())
        .count();
    let report = Report::new(&outcome.pairs());
    let (table, per_corpus, per_speaker) = grouped_reports(&outcome);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"report": report, "per_corpus": per_corpus, "per_speaker": per_speaker, "unscored": unread})
        );
    } else {
        println!("{}\n{table}", report.table());
        if unread > 0 {
            println!("{unread} clips could not be read or held no speech and are not scored");
        }
    }
    if let Some(png) = &args.png {
        confusion_png(
            &report,
            &format!("evaluation on {}", args.data.display()),
            png,
        )?;
        eprintln!("wrote {}", png.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `half [--model M.json] [--grid-bits B] CLIPS...`: stores a trained model's weights in half
//! precision (`f16`), half the record the page downloads, and with `--grid-bits` on a
//! per-channel grid that gzip compresses further (also for a model already in `f16`), after
//! checking on real clips that its answers hold. It prints the largest and mean change of any
//! probability and how many answers changed, and rewrites the model only if no probability
//! moved more than the tolerance.

use std::path::PathBuf;
use std::process::ExitCode;

use speech_emotion::Classifier;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::parallel::map_in_order;
use speech_emotion::record::to_half_precision;

use super::predict::expand;
use crate::shipping::HALF_TOLERANCE;

/// Arguments of the `half` command.
#[derive(clap::Args)]
pub struct Args {
    /// Clips (files or folders) to compare the two precisions on.
    #[arg(required = true)]
    clips: Vec<PathBuf>,
    /// The model's metadata JSON; its record is the .bin beside it.
    #[arg(long, default_value = "models/emotion-cnn.json")]
    model: PathBuf,
    /// Also round each weight tensor per channel to a grid of this many bits (2-11; 0: none).
    #[arg(long, default_value_t = 0, value_parser = parse_grid_bits)]
    grid_bits: u32,
    /// Threads classifying the clips.
    #[arg(long, default_value_t = super::all_cores(), value_parser = super::parse_threads)]
    threads: usize,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let shown = |p: &PathBuf, e: &dyn std::fmt::Display| format!("{}: {e}", p.display());
    let text = std::fs::read_to_string(&args.model).map_err(|e| shown(&args.model, &e))?;
    let mut metadata: ModelMetadata =
        serde_json::from_str(&text).map_err(|e| shown(&args.model, &e))?;
    let grid = (args.grid_bits > 0).then_some(args.grid_bits);
    if metadata.half_precision && (grid.is_none() || metadata.weight_grid_bits.is_some()) {
        let done = metadata
            .weight_grid_bits
            .map_or("half precision".into(), |b| {
                format!("half precision on a {b}-bit grid")
            });
        return Err(format!("{} is already in {done}", args.model.display()).into());
    }
    let record_path = args.model.with_extension("bin");
    let record = std::fs::read(&record_path).map_err(|e| shown(&record_path, &e))?;
    let half = to_half_precision(&record, grid)?;
    let full = Classifier::new(&record, metadata.clone())?;
    metadata.half_precision = true;
    metadata.weight_grid_bits = grid;
    let halved = Classifier::new(&half, metadata.clone())?;
    let files = expand(&args.clips)?;
    let compared = map_in_order(&files, args.threads, |_, path| {
        compare(&full, &halved, path)
    });
    let (mut worst, mut total, mut values, mut changed, mut clips) = (0.0f32, 0.0f64, 0usize, 0, 0);
    for (path, result) in files.iter().zip(compared) {
        let Ok(c) = result else {
            eprintln!("{}: skipped, it could not be read", path.display());
            continue;
        };
        worst = worst.max(c.worst);
        total += c.sum;
        values += c.values;
        changed += usize::from(c.answer_changed);
        clips += 1;
    }
    if clips == 0 {
        return Err("none of the clips could be read".into());
    }
    println!(
        "{clips} clips: largest change of a probability {worst:.4}, mean {:.5}; answer changed on {changed} ({:.1} %)",
        total / values.max(1) as f64,
        100.0 * changed as f64 / clips as f64
    );
    if worst > HALF_TOLERANCE {
        return Err(format!(
            "a probability moved by more than {HALF_TOLERANCE}: the model is left as it was"
        )
        .into());
    }
    std::fs::write(&record_path, &half)?;
    std::fs::write(&args.model, serde_json::to_string_pretty(&metadata)?)?;
    println!(
        "wrote {} ({} kB, was {} kB) and {}",
        record_path.display(),
        half.len() / 1024,
        record.len() / 1024,
        args.model.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// How far the two precisions' answers are apart on one clip.
struct Comparison {
    worst: f32,
    sum: f64,
    values: usize,
    answer_changed: bool,
}

fn compare(
    full: &Classifier,
    halved: &Classifier,
    path: &std::path::Path,
) -> speech_emotion::Result<Comparison> {
    let (audio, _) = load_file(path, full.sample_rate(), DecodeOptions::default())?;
    let (a, b) = (
        full.classify_resampled(&audio.samples)?,
        halved.classify_resampled(&audio.samples)?,
    );
    let pairs: Vec<(f32, f32)> = a
        .timeline
        .iter()
        .zip(&b.timeline)
        .filter_map(|(x, y)| Some((x.probabilities?, y.probabilities?)))
        .flat_map(|(p, q)| p.0.into_iter().zip(q.0))
        .collect();
    Ok(Comparison {
        worst: pairs.iter().map(|(x, y)| (x - y).abs()).fold(0.0, f32::max),
        sum: pairs.iter().map(|(x, y)| f64::from((x - y).abs())).sum(),
        values: pairs.len(),
        answer_changed: a.emotion != b.emotion,
    })
}

/// 0 (no grid) or 2-11 bits: one bit is only a sign, and f16 holds 11 significant bits.
pub(crate) fn parse_grid_bits(value: &str) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(bits) if bits == 0 || (2..=11).contains(&bits) => Ok(bits),
        _ => Err(format!("{value}: give 0 (no grid) or 2 to 11 bits")),
    }
}

//! `features FILE [--json] [--threads N]`: what the library extracts from one file, for checking
//! against librosa; a long file's frames are shared among the threads.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::features::{FeatureConfig, FeatureExtractor};

/// Arguments of the `features` command.
#[derive(clap::Args)]
pub struct Args {
    /// The audio file (WAV, AIFF, FLAC, MP3; any rate and channel count).
    file: PathBuf,
    /// Print one JSON object instead of a human-readable summary.
    #[arg(long)]
    json: bool,
    /// Refuse audio longer than this many seconds.
    #[arg(long, default_value_t = DecodeOptions::default().max_duration_s)]
    max_seconds: f64,
    /// Threads sharing a long recording's frames (at least 1,024 frames, about 16 s, each);
    /// the values are the same with any number.
    #[arg(long, default_value_t = super::all_cores(), value_parser = super::parse_threads)]
    threads: usize,
}

#[derive(Serialize)]
struct Output<'a> {
    config: &'a FeatureConfig,
    duration_s: f64,
    sample_rate: u32,
    zcr: Vec<f64>,
    rms: Vec<f64>,
    mfcc: Vec<Vec<f64>>,
}

/// Widened to f64 so JSON prints each f32 exactly (the shortest f32 text is not exact in f64).
fn widen(values: &[f32]) -> Vec<f64> {
    values.iter().map(|&v| f64::from(v)).collect()
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = FeatureConfig::default();
    let options = DecodeOptions {
        max_duration_s: args.max_seconds,
    };
    let (audio, original_rate) = load_file(&args.file, config.sr, options)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let extractor = FeatureExtractor::new(config.clone())?;
    let features = extractor.extract_on(&audio.samples, args.threads)?;
    let output = Output {
        config: &config,
        duration_s: audio.duration_s(),
        sample_rate: original_rate,
        zcr: widen(&features.zcr),
        rms: widen(&features.rms),
        mfcc: (0..features.mfcc.rows)
            .map(|k| widen(features.mfcc.row(k)))
            .collect(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&output)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("file:        {}", args.file.display());
    println!(
        "decoded:     {:.3} s at {} Hz, analysed at {} Hz",
        output.duration_s, original_rate, config.sr
    );
    println!(
        "frames:      {} (n_fft {}, hop {}, {} mels, {} MFCCs, {}-{} Hz)",
        features.n_frames(),
        config.n_fft,
        config.hop_length,
        config.n_mels,
        config.n_mfcc,
        config.fmin,
        config.fmax
    );
    print_row("zcr", &features.zcr);
    print_row("rms", &features.rms);
    for k in 0..features.mfcc.rows {
        print_row(&format!("mfcc[{k:>2}]"), features.mfcc.row(k));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_row(name: &str, values: &[f32]) {
    let shown: Vec<String> = values.iter().map(|v| format!("{v:.4}")).collect();
    println!("{name:<9}    [{}]", shown.join(", "));
}

//! `cargo run -p train -- <command>`: the native front door to the speech emotion pipeline.

use train::commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Speech emotion recognition: features, training, prediction and honest evaluation.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a file and print its ZCR, RMS and MFCC matrices (librosa's orientation).
    Features(commands::features::Args),
    // Boxed: its options outweigh every other command's (clippy's large_enum_variant).
    /// Extract features, run the evaluation protocols and write the shipped model.
    Train(Box<commands::train::Args>),
    /// Classify audio files (or folders) with the shipped model or --model.
    Predict(commands::predict::Args),
    /// Score a model on any folder of clips named as the corpora name them.
    Evaluate(commands::evaluate::Args),
    /// Store a trained model's weights in f16 after checking its answers on real clips.
    Half(commands::half::Args),
    /// Fit a trained model's calibration (temperature, unsure margin) on validation speakers.
    Calibrate(commands::calibrate::Args),
}

fn main() -> ExitCode {
    speech_emotion::allocator::keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Features(args) => commands::features::run(args),
        Command::Train(args) => commands::train::run(*args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Evaluate(args) => commands::evaluate::run(args),
        Command::Half(args) => commands::half::run(args),
        Command::Calibrate(args) => commands::calibrate::run(args),
    };
    match result {
        Ok(code) => code,
        // `predict ... | head` closing the pipe early is not a failure.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

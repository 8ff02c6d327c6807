//! `cargo run -p train -- <command>`: the native front door to the speech emotion pipeline.

mod commands;
mod augment;
mod corpus;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Features(args) => commands::features::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

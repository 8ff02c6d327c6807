//! Which model a command uses: the shipped one embedded in the binary, or a trained one on disk.

use std::path::{Path, PathBuf};

use speech_emotion::Classifier;
use speech_emotion::metadata::ModelMetadata;

/// `--model`: a model's metadata JSON (its record is the `.bin` beside it).
#[derive(clap::Args, Clone)]
pub struct ModelArg {
    /// Model metadata JSON, with its record as the .bin beside it (default: the shipped model).
    #[arg(long)]
    pub model: Option<PathBuf>,
}

impl ModelArg {
    /// Loads the chosen model.
    pub fn load(&self) -> Result<Classifier, Box<dyn std::error::Error>> {
        match &self.model {
            None => Ok(speech_emotion::state::shipped()?),
            Some(path) => load(path),
        }
    }
}

fn load(path: &Path) -> Result<Classifier, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let metadata: ModelMetadata =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let record_path = path.with_extension("bin");
    let record =
        std::fs::read(&record_path).map_err(|e| format!("{}: {e}", record_path.display()))?;
    Ok(Classifier::new(&record, metadata)?)
}

//! Writing the shipped model: its record and metadata (after checking that the record reloads
//! to the same predictions), or only new figures added to the metadata already there.

use std::path::{Path, PathBuf};

use burn::module::Module;
use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;
use speech_emotion::prediction::Probabilities;
use speech_emotion::record::to_half_precision;

use crate::dataset::Example;

/// Writes the shipped model's record and metadata, keeping the figures of protocols not run
/// this time from the metadata already there, after checking the record reloads (exactly, or
/// within [`HALF_TOLERANCE`] when the weights are stored in half precision).
pub fn write_model(
    out: &Path,
    name: &str,
    model: Ensemble,
    mut metadata: ModelMetadata,
    training: serde_json::Value,
    mut evaluation: serde_json::Map<String, serde_json::Value>,
    examples: &[Example],
) -> Result<(), Box<dyn std::error::Error>> {
    let meta_path = out.join(format!("{name}.json"));
    if let Ok(text) = std::fs::read_to_string(&meta_path)
        && let Ok(previous) = serde_json::from_str::<ModelMetadata>(&text)
        && let serde_json::Value::Object(map) = previous.evaluation
    {
        for (protocol, figures) in map {
            evaluation.entry(protocol).or_insert(figures);
        }
    }
    metadata.training = training;
    metadata.evaluation = serde_json::Value::Object(evaluation);
    let in_memory = speech_emotion::Classifier::from_model(model.clone(), metadata.clone())?;
    let mut record = model
        .into_record()
        .into_bytes()
        .map_err(|e| format!("{e:?}"))?
        .to_vec();
    if metadata.half_precision {
        record = to_half_precision(&record, metadata.weight_grid_bits)?;
    }
    let reloaded = speech_emotion::Classifier::new(&record, metadata.clone())?;
    check_reload(&in_memory, &reloaded, examples, metadata.half_precision)?;
    let record_path = out.join(format!("{name}.bin"));
    std::fs::write(&record_path, &record)?;
    std::fs::write(&meta_path, serde_json::to_string_pretty(&metadata)?)?;
    eprintln!(
        "\nwrote {} ({} kB), {} and the confusion images in {}",
        record_path.display(),
        record.len() / 1024,
        meta_path.display(),
        out.display(),
    );
    Ok(())
}

/// Protocols run apart from the shipped model (e.g. `--protocols d`) add their figures to its
/// metadata in `out`; where `out` holds no model, they go to `{name}-figures.json` there instead,
/// so that a run into a fresh folder keeps what it measured. Returns the file written.
pub fn add_figures(
    out: &Path,
    name: &str,
    evaluation: serde_json::Map<String, serde_json::Value>,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let meta_path = out.join(format!("{name}.json"));
    if !meta_path.exists() {
        let figures_path = out.join(format!("{name}-figures.json"));
        let figures = serde_json::json!({ "evaluation": evaluation });
        std::fs::write(&figures_path, serde_json::to_string_pretty(&figures)?)?;
        eprintln!(
            "no model in {} (protocol ship was not run): wrote the figures to {}",
            out.display(),
            figures_path.display()
        );
        return Ok(figures_path);
    }
    let text = std::fs::read_to_string(&meta_path)
        .map_err(|e| format!("cannot read {}: {e}", meta_path.display()))?;
    let mut existing: ModelMetadata = serde_json::from_str(&text)?;
    if let serde_json::Value::Object(map) = &mut existing.evaluation {
        map.extend(evaluation);
    } else {
        existing.evaluation = serde_json::Value::Object(evaluation);
    }
    std::fs::write(&meta_path, serde_json::to_string_pretty(&existing)?)?;
    eprintln!("added the figures to {}", meta_path.display());
    Ok(meta_path)
}

/// The largest change in any probability a half-precision record may make on the training
/// windows: rounding the weights to `f16` moves them by about 1e-3.
pub const HALF_TOLERANCE: f32 = 0.05;

/// The record must give back the network that was trained: exactly in `f32`, within
/// [`HALF_TOLERANCE`] in `f16`.
fn check_reload(
    in_memory: &speech_emotion::Classifier,
    reloaded: &speech_emotion::Classifier,
    examples: &[Example],
    half: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let inputs: Vec<Matrix> = examples
        .iter()
        .take(32)
        .map(|e| {
            let mut m = e.input.clone();
            in_memory.metadata().normalization.apply(&mut m);
            m
        })
        .collect();
    let before = in_memory.probabilities(&inputs)?;
    let after = reloaded.probabilities(&inputs)?;
    let worst = largest_change(&before, &after);
    if !half && worst > 0.0 {
        return Err("the saved record does not reproduce the trained network's predictions".into());
    }
    if worst > HALF_TOLERANCE {
        return Err(format!(
            "the half-precision record moves a probability by {worst:.3} (more than {HALF_TOLERANCE})"
        )
        .into());
    }
    if half {
        eprintln!(
            "the saved half-precision record reloads within {worst:.4} of every probability on {} windows",
            before.len()
        );
    } else {
        eprintln!(
            "the saved record reloads with identical predictions on {} windows",
            before.len()
        );
    }
    Ok(())
}

/// The largest absolute difference between two lists of probabilities.
pub fn largest_change(a: &[Probabilities], b: &[Probabilities]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(p, q)| p.0.iter().zip(&q.0).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        map.insert("c".into(), serde_json::json!({"valid_uar": 0.5}));
        map
    }

    #[test]
    fn figures_without_a_model_are_written_beside_not_lost() {
        let dir = std::env::temp_dir().join(format!("figures-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = add_figures(&dir, "emotion-cnn", figures()).unwrap();
        assert_eq!(written, dir.join("emotion-cnn-figures.json"));
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
        assert_eq!(value["evaluation"]["c"]["valid_uar"], 0.5);
        assert!(
            !dir.join("emotion-cnn.json").exists(),
            "no model is made up"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn figures_join_a_model_already_there() {
        let dir = std::env::temp_dir().join(format!("figures-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../models/emotion-cnn.json"),
            dir.join("emotion-cnn.json"),
        )
        .unwrap();
        let written = add_figures(&dir, "emotion-cnn", figures()).unwrap();
        assert_eq!(written, dir.join("emotion-cnn.json"));
        let metadata: ModelMetadata =
            serde_json::from_str(&std::fs::read_to_string(&written).unwrap()).unwrap();
        assert_eq!(metadata.evaluation["c"]["valid_uar"], 0.5);
        assert!(
            metadata.evaluation["d"].is_object(),
            "the figures already there stay"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

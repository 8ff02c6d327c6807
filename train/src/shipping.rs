//! Writing the shipped model: its record and metadata (after checking that the record reloads
//! to the same predictions), or only new figures added to the metadata already there.

use std::path::Path;

use burn::module::Module;
use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;

use crate::dataset::Example;

/// Writes the shipped model's record and metadata, keeping the figures of protocols not run
/// this time from the metadata already there, after checking the record reloads exactly.
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
    let record = model
        .into_record()
        .into_bytes()
        .map_err(|e| format!("{e:?}"))?
        .to_vec();
    let reloaded = speech_emotion::Classifier::new(&record, metadata.clone())?;
    check_reload(&in_memory, &reloaded, examples)?;
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
/// metadata.
pub fn add_figures(
    out: &Path,
    name: &str,
    evaluation: serde_json::Map<String, serde_json::Value>,
) -> Result<(), Box<dyn std::error::Error>> {
    let meta_path = out.join(format!("{name}.json"));
    let text = std::fs::read_to_string(&meta_path).map_err(|e| {
        format!(
            "the shipped model was not trained (protocol ship) and there is no {} to add the figures to: {e}",
            meta_path.display()
        )
    })?;
    let mut existing: ModelMetadata = serde_json::from_str(&text)?;
    if let serde_json::Value::Object(map) = &mut existing.evaluation {
        map.extend(evaluation);
    } else {
        existing.evaluation = serde_json::Value::Object(evaluation);
    }
    std::fs::write(&meta_path, serde_json::to_string_pretty(&existing)?)?;
    eprintln!("added the figures to {}", meta_path.display());
    Ok(())
}

/// The record must give back exactly the network that was trained.
fn check_reload(
    in_memory: &speech_emotion::Classifier,
    reloaded: &speech_emotion::Classifier,
    examples: &[Example],
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
    if before != after {
        return Err("the saved record does not reproduce the trained network's predictions".into());
    }
    eprintln!(
        "the saved record reloads with identical predictions on {} windows",
        before.len()
    );
    Ok(())
}

//! The shipped model, embedded in the binary (and the wasm) with `include_bytes!`.

use crate::classifier::Classifier;
use crate::error::{Error, Result};
use crate::metadata::ModelMetadata;

/// The weights of the shipped model (a Burn record).
pub static MODEL_RECORD: &[u8] = include_bytes!("../models/emotion-cnn.bin");

/// The shipped model's metadata: classes, feature settings, normalisation, honest figures
/// (`models/emotion-cnn.json`, compacted by `build.rs`).
pub static MODEL_METADATA: &str = include_str!(concat!(env!("OUT_DIR"), "/emotion-cnn.json"));

/// The shipped model's metadata, parsed.
pub fn shipped_metadata() -> Result<ModelMetadata> {
    serde_json::from_str(MODEL_METADATA).map_err(|e| Error::Model(format!("metadata: {e}")))
}

/// Builds the shipped classifier. Done once per page or process: loading parses the record.
pub fn shipped() -> Result<Classifier> {
    Classifier::new(MODEL_RECORD, shipped_metadata()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads_and_classifies() {
        let classifier = shipped().unwrap();
        let samples: Vec<f32> = (0..48_000)
            .map(|i| 0.3 * (i as f32 * 0.03).sin() * (i as f32 * 0.0005).sin())
            .collect();
        let prediction = classifier.classify(samples, 48_000).unwrap();
        let sum: f32 = prediction.probabilities.0.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
        assert!(prediction.emotion.is_some());
        assert!(!prediction.timeline.is_empty());
    }

    #[test]
    fn a_record_of_another_shape_is_an_error_not_a_panic() {
        let mut metadata = shipped_metadata().unwrap();
        metadata.model.members += 1;
        let error = Classifier::new(MODEL_RECORD, metadata).err().unwrap();
        assert!(error.to_string().contains("does not fit"), "{error}");
    }

    #[test]
    fn metadata_at_odds_with_its_input_is_an_error_not_a_panic() {
        let mut metadata = shipped_metadata().unwrap();
        metadata.model.in_channels += 1;
        assert!(Classifier::new(MODEL_RECORD, metadata).is_err());
        let mut metadata = shipped_metadata().unwrap();
        metadata.normalization.mean.pop();
        assert!(Classifier::new(MODEL_RECORD, metadata).is_err());
    }

    #[test]
    fn embedded_metadata_matches_the_code() {
        let metadata = shipped_metadata().unwrap();
        assert_eq!(metadata.classes.len(), crate::Emotion::COUNT);
        assert_eq!(
            metadata.normalization.mean.len(),
            metadata.input.channels(&metadata.features)
        );
    }

    #[test]
    fn embedded_metadata_keeps_what_the_model_and_the_card_read() {
        let full: serde_json::Value =
            serde_json::from_str(include_str!("../models/emotion-cnn.json")).unwrap();
        let embedded: serde_json::Value = serde_json::from_str(MODEL_METADATA).unwrap();
        for (key, value) in full.as_object().unwrap() {
            if !["training", "evaluation", "calibration"].contains(&key.as_str()) {
                assert_eq!(&embedded[key], value, "{key} is embedded whole and exact");
            }
        }
        for used in ["temperature", "unsure_margin", "prior"] {
            assert_eq!(
                embedded["calibration"][used], full["calibration"][used],
                "{used}"
            );
        }
        assert!(embedded["calibration"]["figures"]["unsure_share"].is_number());
        assert_eq!(
            embedded["training"]["data"]["clips"],
            full["training"]["data"]["clips"]
        );
        let folds = embedded["evaluation"]["d"]["folds"].as_object().unwrap();
        assert_eq!(
            folds.len(),
            full["evaluation"]["d"]["folds"].as_object().unwrap().len()
        );
        for (corpus, fold) in folds {
            let full_report = &full["evaluation"]["d"]["folds"][corpus]["report"];
            let uar = fold["report"]["uar"].as_f64().unwrap();
            assert!(
                (uar - full_report["uar"].as_f64().unwrap()).abs() < 1e-4,
                "{corpus}"
            );
            assert_eq!(
                fold["report"]["spread"]["class"],
                full_report["spread"]["class"]
            );
            let classes = fold["report"]["per_class"].as_array().unwrap();
            assert_eq!(classes.len(), crate::Emotion::COUNT);
            assert!(
                classes
                    .iter()
                    .all(|c| c["recall"].is_number() && c["support"].is_number())
            );
            assert!(fold.get("networks").is_none() && fold["report"].get("confusion").is_none());
        }
        for protocol in ["a", "c"] {
            assert!(embedded["evaluation"][protocol]["report"]["accuracy"].is_number());
        }
        assert!(embedded["evaluation"]["c"]["per_corpus"]["RAVDESS"]["accuracy"].is_number());
    }
}

//! What travels with the weights: classes, feature and window settings, normalisation, the
//! architecture and the honest figures of the evaluation.

use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;

use crate::features::FeatureConfig;
use crate::input::{InputKind, Normalization};
use crate::model::ModelConfig;
use crate::segment::WindowConfig;

/// The model's metadata, stored as `models/<name>.json` beside the record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelMetadata {
    /// Model name (the file stem).
    pub name: String,
    /// Class names in output order.
    pub classes: Vec<String>,
    /// Feature parameters the model was trained with.
    pub features: FeatureConfig,
    /// How recordings are cut into windows.
    pub window: WindowConfig,
    /// The spectral rows of the input (MFCC when absent: models from before the choice).
    #[serde(default)]
    pub input: InputKind,
    /// Frames per window, the model's input length.
    pub frames: usize,
    /// Per-channel standardisation.
    pub normalization: Normalization,
    /// The architecture.
    pub model: ModelConfig,
    /// Whether the record stores weights in half precision.
    pub half_precision: bool,
    /// With half precision: the bits of the per-channel grid the weight tensors were rounded
    /// to ([`crate::record::to_half_precision`]); none for full `f16`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_grid_bits: Option<u32>,
    /// Temperature and unsure margin fitted on validation speakers (none: raw probabilities,
    /// never unsure).
    #[serde(default)]
    pub calibration: Option<Calibration>,
    /// What it was trained on, how, and how it scored: free-form, written by the trainer.
    #[serde(default)]
    pub training: serde_json::Value,
    /// Evaluation figures per protocol, written by the trainer.
    #[serde(default)]
    pub evaluation: serde_json::Value,
}

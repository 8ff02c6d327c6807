//! Speech emotion recognition that runs where the audio is: decoding, resampling and
//! librosa-faithful features, the Burn model and its inference, and (on wasm32) the browser API.
//!
//! Data flows one way: bytes -> samples -> features -> model -> probabilities. The same code
//! serves the trainer, the `predict` command and the web page.

#[cfg(not(target_arch = "wasm32"))]
pub mod allocator;
pub mod among;
pub mod audio;
pub mod calibration;
pub mod classifier;
pub mod dropout;
pub mod emotion;
pub mod error;
pub mod features;
pub mod image;
pub mod input;
pub mod metadata;
pub mod model;
pub mod parallel;
pub mod prediction;
pub mod record;
pub mod segment;
pub mod set;
pub mod speech;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use among::Among;
pub use classifier::Classifier;
pub use emotion::Emotion;
pub use error::{Error, Result};

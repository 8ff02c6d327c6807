//! The native side of the speech emotion recognizer: corpora loaders, augmentation, training,
//! honest evaluation and the command-line front door (`features`, `train`, `predict`,
//! `evaluate`). Everything audio-related calls the `speech_emotion` library, the same code the
//! browser runs.

pub mod adaptation;
pub mod adversary;
pub mod among;
pub mod augment;
pub mod balance;
pub mod calibration;
pub mod commands;
pub mod corpus;
pub mod dataset;
pub mod evaluation;
pub mod leave_out;
pub mod loco;
pub mod metrics;
pub mod plot;
pub mod protocol;
pub mod run;
pub mod set_size;
pub mod shipping;
pub mod training;

//! One module per subcommand.

pub mod calibrate;
pub mod evaluate;
pub mod features;
pub mod half;
pub mod model_choice;
pub mod predict;
pub mod set_standardised;
pub mod train;

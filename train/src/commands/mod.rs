//! One module per subcommand.

pub mod calibrate;
pub mod evaluate;
pub mod features;
pub mod half;
pub mod model_choice;
pub mod predict;
pub mod set_balanced;
pub mod set_standardised;
pub mod train;

/// Every core this machine offers (2 if it cannot tell): the default of each `--threads`.
pub fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Parses a `--threads` value, refusing 0 with a reason rather than quietly taking it as 1.
pub fn parse_threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("at least one thread is needed".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not a whole number of threads ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_refuse_zero_and_text() {
        assert_eq!(parse_threads("3"), Ok(3));
        assert!(parse_threads("0").unwrap_err().contains("at least one"));
        assert!(parse_threads("two").unwrap_err().contains("whole number"));
        assert!(all_cores() >= 1);
    }
}

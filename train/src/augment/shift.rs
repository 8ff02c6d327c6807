//! Time shift: the clip moves later (positive) or earlier (negative); the length is kept and the
//! gap is filled with silence.

/// Shifts by `offset` samples.
pub fn time_shift(samples: &[f32], offset: isize) -> Vec<f32> {
    let n = samples.len();
    let mut out = vec![0.0; n];
    let magnitude = offset.unsigned_abs().min(n);
    if offset >= 0 {
        out[magnitude..].copy_from_slice(&samples[..n - magnitude]);
    } else {
        out[..n - magnitude].copy_from_slice(&samples[magnitude..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_both_ways_and_keeps_length() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(time_shift(&x, 1), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(time_shift(&x, -2), vec![3.0, 4.0, 0.0, 0.0]);
        assert_eq!(time_shift(&x, 10), vec![0.0; 4]);
    }
}

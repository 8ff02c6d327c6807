//! Power to decibels, as `librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0)`.

/// Floor under the power before the logarithm.
pub const AMIN: f32 = 1e-10;
/// Dynamic range kept below the loudest value of the whole matrix.
pub const TOP_DB: f32 = 80.0;

/// [`AMIN`] in dB, exactly, as librosa gives digital silence.
const AMIN_DB: f32 = -100.0;

/// `10 log10(x) = ln(x) · 10 / ln 10`: one natural logarithm per value, the cheapest libm has.
const DB_PER_NEPER: f32 = 10.0 / std::f32::consts::LN_10;

/// Converts a whole power matrix to dB in place: `10 log10(max(S, amin))`, then everything below
/// `max - top_db` is raised to it. The clamp is relative to the matrix's own maximum, so the
/// result depends on the whole matrix, as in librosa.
pub fn power_to_db_in_place(values: &mut [f32]) {
    let mut max = f32::NEG_INFINITY;
    for v in values.iter_mut() {
        *v = if *v > AMIN {
            DB_PER_NEPER * v.ln()
        } else {
            AMIN_DB
        };
        max = max.max(*v);
    }
    let floor = max - TOP_DB;
    for v in values.iter_mut() {
        *v = v.max(floor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_clamps_to_top_db() {
        let mut values = vec![1.0, 0.1, 1e-12, 0.0];
        power_to_db_in_place(&mut values);
        assert_eq!(values, vec![0.0, -10.0, -80.0, -80.0]);
    }

    #[test]
    fn silence_is_the_amin_floor() {
        let mut values = vec![0.0; 4];
        power_to_db_in_place(&mut values);
        assert_eq!(values, vec![-100.0; 4]);
    }
}

//! Power to decibels, as `librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0)`.

/// Floor under the power before the logarithm.
pub const AMIN: f32 = 1e-10;
/// Dynamic range kept below the loudest value of the whole matrix.
pub const TOP_DB: f32 = 80.0;

/// [`AMIN`] in dB, exactly, as librosa gives digital silence.
const AMIN_DB: f32 = -100.0;

/// `10 log10(x) = ln(x) · 10 / ln 10`.
const DB_PER_NEPER: f32 = 10.0 / std::f32::consts::LN_10;

/// Converts a whole power matrix to dB in place: `10 log10(max(S, amin))`, then everything below
/// `max - top_db` is raised to it. The clamp is relative to the matrix's own maximum, so the
/// result depends on the whole matrix, as in librosa.
#[inline(always)]
pub fn power_to_db_in_place(values: &mut [f32]) {
    to_db_in_place(values, floor_below(loudest(values)));
}

/// The largest power, taken as integers: non-negative floats sort as their bit patterns do, and
/// an integer maximum vectorises where a float one with NaN semantics does not. `None` when
/// empty.
#[inline(always)]
pub fn loudest(values: &[f32]) -> Option<f32> {
    let peak = values.iter().map(|v| v.to_bits() as i32).max();
    peak.map(|bits| f32::from_bits(bits as u32))
}

/// The dB floor [`TOP_DB`] under the loudest power (the logarithm keeps the powers' order).
pub fn floor_below(loudest: Option<f32>) -> f32 {
    loudest.map_or(AMIN_DB, to_db) - TOP_DB
}

/// `10 log10(max(S, amin))` in one pass, everything below `floor` raised to it.
#[inline(always)]
pub fn to_db_in_place(values: &mut [f32], floor: f32) {
    for v in values.iter_mut() {
        let db = to_db(*v);
        *v = if db > floor { db } else { floor };
    }
}

/// `10 log10(power)` above [`AMIN`], [`AMIN_DB`] at or below it, without a branch.
#[inline(always)]
fn to_db(power: f32) -> f32 {
    let db = DB_PER_NEPER * ln(if power > AMIN { power } else { 1.0 });
    if power > AMIN { db } else { AMIN_DB }
}

/// The natural logarithm of a positive normal `f32`, as Cephes' `logf` computes it: `x = m · 2^e`
/// with `m` in `[√½, √2)`, then its polynomial in `m - 1`. Within two units in the last place,
/// or 2.4e-7 where the logarithm is below 1 in magnitude (tested). Branch-free and libm-free,
/// so a loop of it vectorises, which a call to the library's `logf` does not.
#[inline(always)]
fn ln(x: f32) -> f32 {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let bits = x.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 126;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    let small = m < SQRT_HALF;
    e -= i32::from(small);
    m = if small { m + m - 1.0 } else { m - 1.0 };
    // Cephes' degree-8 polynomial, evaluated by Estrin's scheme: pairs, then pairs of pairs, so
    // that its multiplications overlap instead of waiting on each other as Horner's rule does.
    let z = m * m;
    let z2 = z * z;
    let pair = |a: f32, b: f32| a + b * m;
    let low = pair(3.333_333e-1, -2.499_999_4e-1) + pair(2.000_071_4e-1, -1.666_805_8e-1) * z;
    let high = pair(1.424_932_3e-1, -1.242_014_1e-1) + pair(1.167_699_9e-1, -1.151_461e-1) * z;
    let mut y = low + (high + 7.037_683_6e-2 * z2) * z2;
    let e = e as f32;
    y = y * m * z - 2.121_944_4e-4 * e - 0.5 * z;
    m + y + 0.693_359_4 * e
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
    fn the_logarithm_is_within_two_units_in_the_last_place_or_two_epsilons() {
        let mut x = 1.01e-10f32;
        while x < 1e20 {
            let exact = f64::from(x).ln();
            let ulp = f64::from(f32::EPSILON) * exact.abs().max(1.0);
            assert!((f64::from(ln(x)) - exact).abs() <= 2.0 * ulp, "ln({x})");
            x *= 1.000_37;
        }
        // Around the two branch points (1, and √½ where the mantissa is folded), to the ulp.
        let root = std::f32::consts::FRAC_1_SQRT_2.to_bits();
        for bits in (root - 2..=root + 2).chain(1.0f32.to_bits() - 2..=1.0f32.to_bits() + 2) {
            let x = f32::from_bits(bits);
            let exact = f64::from(x).ln();
            let error = (f64::from(ln(x)) - exact).abs();
            assert!(
                error <= 2.0 * f64::from(f32::EPSILON) * exact.abs(),
                "ln({x})"
            );
        }
    }

    #[test]
    fn silence_is_the_amin_floor() {
        let mut values = vec![0.0; 4];
        power_to_db_in_place(&mut values);
        assert_eq!(values, vec![-100.0; 4]);
    }
}

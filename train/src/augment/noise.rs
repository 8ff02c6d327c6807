//! Additive white Gaussian noise at a chosen signal-to-noise ratio.

use rand::Rng;

/// Adds white noise whose power is the signal's power divided by `10^(snr_db / 10)`.
pub fn add_noise(samples: &[f32], snr_db: f32, rng: &mut impl Rng) -> Vec<f32> {
    let power = samples
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        / samples.len().max(1) as f64;
    let sigma = (power / 10f64.powf(f64::from(snr_db) / 10.0)).sqrt();
    samples
        .iter()
        .map(|&x| x + (sigma * gaussian(rng)) as f32)
        .collect()
}

/// A standard normal draw (Box-Muller).
pub(crate) fn gaussian(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn measured_snr_matches_the_request() {
        let signal: Vec<f32> = (0..32_000).map(|i| 0.3 * (i as f32 * 0.05).sin()).collect();
        for snr in [5.0f32, 20.0] {
            let noisy = add_noise(&signal, snr, &mut StdRng::seed_from_u64(7));
            let p_signal: f64 = signal.iter().map(|&x| f64::from(x * x)).sum();
            let p_noise: f64 = noisy
                .iter()
                .zip(&signal)
                .map(|(a, b)| f64::from((a - b) * (a - b)))
                .sum();
            let measured = 10.0 * (p_signal / p_noise).log10();
            assert!(
                (measured - f64::from(snr)).abs() < 0.2,
                "asked {snr}, got {measured}"
            );
        }
    }

    #[test]
    fn same_seed_same_noise() {
        let signal = vec![0.1f32; 1000];
        let a = add_noise(&signal, 10.0, &mut StdRng::seed_from_u64(1));
        let b = add_noise(&signal, 10.0, &mut StdRng::seed_from_u64(1));
        let c = add_noise(&signal, 10.0, &mut StdRng::seed_from_u64(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}

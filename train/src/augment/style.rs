//! MixStyle (Zhou et al. 2021, "Domain generalization with MixStyle"): inside the network, each
//! window's feature maps keep their shape over time but take a mix of their own per-channel
//! mean and deviation and those of a random partner in the batch, most often from another
//! corpus. A corpus's room, microphone and speaking style live largely in those statistics; the
//! network is trained not to rely on them. Training only: the record and inference are unchanged.
//! Off by default: screened on nested leave-one-corpus-out in session 40, it lost in every outer
//! fold and on the validation speakers (README, "How the configuration was chosen").

use burn::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The Beta(α, α) the mixing weights are drawn from: MixStyle's 0.1, so most windows keep
/// nearly their own statistics or nearly take their partner's.
pub const ALPHA: f64 = 0.1;

/// Keeps deviations away from 0 (a channel that ReLU left all zero).
const EPSILON: f32 = 1e-6;

/// `maps` (`[batch, channels, frames]`) with, at `probability`, each window's per-channel mean
/// and deviation over the frames mixed with a partner's (a random permutation of the batch),
/// the weight of its own drawn from Beta([`ALPHA`], [`ALPHA`]) per window. The statistics carry
/// no gradient, as in the paper. No draw from `rng` when `probability` is 0, so runs without it
/// keep their random stream.
pub fn restyle(maps: Tensor<3>, probability: f32, rng: &mut StdRng) -> Tensor<3> {
    if probability <= 0.0 || rng.random::<f32>() >= probability {
        return maps;
    }
    let [n, _, _] = maps.dims();
    let device = maps.device();
    let mean = maps.clone().mean_dim(2).detach();
    let centred = maps - mean.clone();
    let deviation = centred
        .clone()
        .powi_scalar(2)
        .mean_dim(2)
        .add_scalar(EPSILON)
        .sqrt()
        .detach();
    let standard = centred / deviation.clone();
    let mut order: Vec<i64> = (0..n as i64).collect();
    order.shuffle(rng);
    let order = Tensor::<1, Int>::from_data(TensorData::new(order, [n]), &device);
    let own: Vec<f32> = (0..n).map(|_| beta(ALPHA, rng) as f32).collect();
    let own = Tensor::<3>::from_data(TensorData::new(own, [n, 1, 1]), &device);
    let other = own.clone().neg().add_scalar(1.0);
    let mix = |stat: Tensor<3>| {
        stat.clone() * own.clone() + stat.select(0, order.clone()) * other.clone()
    };
    standard * mix(deviation) + mix(mean)
}

/// A draw from the symmetric Beta(`alpha`, `alpha`) by Jöhnk's method (exact for any alpha,
/// quick for alpha below 1, where nearly every pair of uniforms is accepted). By hand: the
/// `rand_distr` already in the lock file is built on rand 0.10, and `train` draws from rand 0.9.
fn beta(alpha: f64, rng: &mut StdRng) -> f64 {
    loop {
        let x = rng.random::<f64>().powf(1.0 / alpha);
        let y = rng.random::<f64>().powf(1.0 / alpha);
        if x + y <= 1.0 && x + y > 0.0 {
            return x / (x + y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use speech_emotion::classifier::cpu;

    fn rows(t: &Tensor<3>) -> Vec<f32> {
        t.clone().into_data().try_to_vec().unwrap()
    }

    #[test]
    fn each_window_takes_a_mix_of_its_own_and_one_partners_statistics() {
        let device = cpu();
        // Three windows, one channel, four frames: means 0, 10, 20, deviations 1, 2, 3.
        let data: Vec<f32> = [(0.0, 1.0), (10.0, 2.0), (20.0, 3.0)]
            .iter()
            .flat_map(|&(m, d)| [m - d, m + d, m - d, m + d])
            .collect();
        let maps = Tensor::<3>::from_data(TensorData::new(data, [3, 1, 4]), &device);
        let pairs = [(0.0f32, 1.0f32), (10.0, 2.0), (20.0, 3.0)];
        let mut moved = 0;
        for seed in 0..8 {
            let mut rng = StdRng::seed_from_u64(seed);
            let out = rows(&restyle(maps.clone(), 1.0, &mut rng));
            for (w, frames) in out.chunks(4).enumerate() {
                let mean = frames.iter().sum::<f32>() / 4.0;
                let dev = (frames.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 4.0).sqrt();
                let shape: Vec<f32> = frames.iter().map(|v| (v - mean) / dev).collect();
                assert!(
                    shape
                        .iter()
                        .zip([-1.0, 1.0, -1.0, 1.0])
                        .all(|(a, b)| (a - b).abs() < 1e-3),
                    "window {w} keeps its shape over time: {shape:?}"
                );
                // mean = λ m_own + (1 - λ) m_partner and dev likewise, one partner and one λ.
                let (m, d) = pairs[w];
                let fits = pairs.iter().any(|&(pm, pd)| {
                    let lambda = if (m - pm).abs() > 0.0 {
                        (mean - pm) / (m - pm)
                    } else {
                        1.0
                    };
                    (0.0..=1.0).contains(&lambda)
                        && (mean - (lambda * m + (1.0 - lambda) * pm)).abs() < 1e-3
                        && (dev - (lambda * d + (1.0 - lambda) * pd)).abs() < 1e-2
                });
                assert!(
                    fits,
                    "seed {seed}, window {w}: mean {mean}, deviation {dev}"
                );
                moved += usize::from((mean - m).abs() > 1.0);
            }
        }
        assert!(moved > 0, "some window took some of its partner's style");
    }

    #[test]
    fn off_or_not_drawn_leaves_the_maps_and_off_leaves_the_random_stream() {
        let device = cpu();
        let maps = Tensor::<3>::from_data(
            TensorData::new((0..24).map(|v| v as f32).collect::<Vec<_>>(), [2, 3, 4]),
            &device,
        );
        let mut rng = StdRng::seed_from_u64(5);
        let mut untouched = StdRng::seed_from_u64(5);
        assert_eq!(rows(&restyle(maps.clone(), 0.0, &mut rng)), rows(&maps));
        assert_eq!(rng.random::<u64>(), untouched.random::<u64>());
        let changed = (0..40)
            .filter(|_| rows(&restyle(maps.clone(), 0.5, &mut rng)) != rows(&maps))
            .count();
        assert!(
            (5..35).contains(&changed),
            "about half the batches: {changed} of 40"
        );
    }

    #[test]
    fn beta_draws_gather_at_both_ends() {
        let mut rng = StdRng::seed_from_u64(9);
        let draws: Vec<f64> = (0..2000).map(|_| beta(ALPHA, &mut rng)).collect();
        assert!(draws.iter().all(|d| (0.0..=1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.05, "symmetric: mean {mean}");
        let ends = draws.iter().filter(|&&d| !(0.1..=0.9).contains(&d)).count();
        // Beta(0.1, 0.1) puts 81 % of its mass below 0.1 or above 0.9 (scipy.stats.beta).
        assert!(ends > 1400, "{ends} of 2000 near 0 or 1");
    }
}

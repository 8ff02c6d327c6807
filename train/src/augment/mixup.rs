//! Mixup across a batch (Zhang et al. 2018): each window blended with another window of the
//! batch, most often of another corpus, and its target blended the same way. The network never
//! sees one corpus's recording alone at its most confident, which is meant to soften the
//! corpus-specific cues behind an unseen corpus collapsing onto one answer.

use burn::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// A batch after mixing: inputs, the class mask open to both partners' classes, and the
/// partner's labels with their share of the target.
pub struct Mixed {
    pub inputs: Tensor<3>,
    pub mask: Tensor<2>,
    pub partner: Tensor<1, Int>,
    pub share: f32,
}

/// Blends every window of the batch with a partner (a random permutation of the batch) at one
/// share drawn uniformly in `[0, max_share]`; `None` (and no draw from `rng`) when `max_share`
/// is 0, so runs without mixup keep their random stream.
pub fn mix(
    inputs: Tensor<3>,
    labels: &Tensor<1, Int>,
    mask: Tensor<2>,
    max_share: f32,
    rng: &mut StdRng,
) -> Option<Mixed> {
    if max_share <= 0.0 {
        return None;
    }
    let n = inputs.dims()[0];
    let mut order: Vec<i64> = (0..n as i64).collect();
    order.shuffle(rng);
    let share = rng.random_range(0.0..=max_share);
    let device = inputs.device();
    let order = Tensor::<1, Int>::from_data(TensorData::new(order, [n]), &device);
    let partner_inputs = inputs.clone().select(0, order.clone());
    Some(Mixed {
        inputs: inputs * (1.0 - share) + partner_inputs * share,
        mask: mask.clone().max_pair(mask.select(0, order.clone())),
        partner: labels.clone().select(0, order),
        share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use speech_emotion::classifier::cpu;

    #[test]
    fn windows_and_targets_are_blended_with_one_partner_each() {
        let device = cpu();
        let inputs = Tensor::<3>::from_data(
            TensorData::new(vec![0.0f32, 0.0, 10.0, 10.0, 20.0, 20.0], [3, 1, 2]),
            &device,
        );
        let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 1, 2], [3]), &device);
        let original_mask = vec![0.0f32, -1e4, -1e4, 0.0, -1e4, -1e4];
        let mask = Tensor::<2>::from_data(TensorData::new(original_mask.clone(), [3, 2]), &device);
        let mut rng = StdRng::seed_from_u64(3);
        let mixed = mix(inputs, &labels, mask, 0.5, &mut rng).expect("mixup on");
        assert!((0.0..=0.5).contains(&mixed.share));
        let partner: Vec<i64> = mixed.partner.to_data().try_to_vec::<i64>().unwrap();
        let mut sorted = partner.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2], "a permutation of the batch");
        let values: Vec<f32> = mixed.inputs.to_data().try_to_vec::<f32>().unwrap();
        let masks: Vec<f32> = mixed.mask.to_data().try_to_vec::<f32>().unwrap();
        for (i, &p) in partner.iter().enumerate() {
            let expected = 10.0 * i as f32 * (1.0 - mixed.share) + 10.0 * p as f32 * mixed.share;
            assert!((values[2 * i] - expected).abs() < 1e-4);
            for k in 0..2 {
                let p = p as usize;
                assert_eq!(
                    masks[2 * i + k],
                    original_mask[2 * i + k].max(original_mask[2 * p + k])
                );
            }
        }
    }

    #[test]
    fn no_mixup_draws_nothing() {
        let device = cpu();
        let inputs = Tensor::<3>::zeros([2, 1, 1], &device);
        let labels = Tensor::<1, Int>::zeros([2], &device);
        let mask = Tensor::<2>::zeros([2, 7], &device);
        let mut rng = StdRng::seed_from_u64(1);
        assert!(mix(inputs, &labels, mask, 0.0, &mut rng).is_none());
        assert_eq!(
            rng.random::<u64>(),
            StdRng::seed_from_u64(1).random::<u64>()
        );
    }
}

//! Distillation (Hinton et al. 2015, *Distilling the knowledge in a neural network*): a network
//! trained on the averaged probabilities of several teacher networks as well as on the labels.
//! Session 48 measured that the mean of three networks answers corpora never heard better than
//! its networks do on average; the page can afford one network, so one network is taught to
//! answer as the mean does.

use burn::prelude::*;
use speech_emotion::classifier::cpu;
use speech_emotion::model::Ensemble;

/// The teachers' mean probabilities for the batch `x` as the student sees it, over the classes
/// `mask` leaves open (0 there, a large negative logit elsewhere), renormalised to sum to 1:
/// `[n, classes]`, a constant on `x`'s device. The teachers run on the plain CPU device, so
/// their dropout is off and their batch norm uses its running statistics, as when they answer.
pub(super) fn teacher_targets(teachers: &Ensemble, x: &Tensor<3>, mask: &Tensor<2>) -> Tensor<2> {
    let plain = Tensor::<3>::from_data(x.to_data(), &cpu());
    let answered = teachers.probabilities(plain);
    let answered = Tensor::<2>::from_data(answered.to_data(), &x.device());
    let open = mask.clone().greater_elem(-1.0).float();
    let kept = answered * open;
    kept.clone() / kept.sum_dim(1).clamp_min(f32::MIN_POSITIVE)
}

/// `(1 - weight)` of the label loss `loss` plus `weight` of the cross-entropy of the student's
/// `logits` (already masked) against the teachers' `targets`.
pub(super) fn distilled(
    loss: Tensor<1>,
    logits: Tensor<2>,
    targets: Tensor<2>,
    weight: f32,
) -> Tensor<1> {
    let log_p = burn::tensor::activation::log_softmax(logits, 1);
    let soft = (log_p * targets).sum_dim(1).neg().mean();
    loss * (1.0 - weight) + soft * weight
}

#[cfg(test)]
mod tests {
    use burn::nn::loss::CrossEntropyLossConfig;
    use speech_emotion::model::ModelConfig;

    use super::*;

    fn rows(values: Vec<f32>, n: usize, device: &Device) -> Tensor<2> {
        let classes = values.len() / n;
        Tensor::from_data(TensorData::new(values, [n, classes]), device)
    }

    #[test]
    fn one_hot_targets_give_the_plain_cross_entropy_and_the_weight_mixes_the_two() {
        let device = cpu();
        let logits = rows(vec![2.0, 0.5, -1.0, 0.0, 1.0, 0.3], 2, &device);
        let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 2], [2]), &device);
        let plain = CrossEntropyLossConfig::new()
            .init(&device)
            .forward(logits.clone(), labels);
        let one_hot = rows(vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0], 2, &device);
        let value = |t: Tensor<1>| t.into_scalar::<f32>();
        let expected = value(plain.clone());
        let all_soft = value(distilled(
            plain.clone() * 0.0 + 100.0,
            logits.clone(),
            one_hot,
            1.0,
        ));
        assert!(
            (all_soft - expected).abs() < 1e-5,
            "{all_soft} against {expected}"
        );
        let uniform = rows(vec![1.0 / 3.0; 6], 2, &device);
        let half = value(distilled(
            plain.clone(),
            logits.clone(),
            uniform.clone(),
            0.5,
        ));
        let soft_alone = value(distilled(plain, logits, uniform, 1.0));
        let mixed = 0.5 * expected + 0.5 * soft_alone;
        assert!((half - mixed).abs() < 1e-5, "{half} against {mixed}");
        assert!(soft_alone > expected, "the uniform target costs more here");
    }

    #[test]
    fn targets_are_the_teachers_answer_over_the_open_classes_without_dropout() {
        let training = cpu().autodiff();
        let config = ModelConfig::new(6).with_channels([4, 4, 4]);
        let teachers = config.init_ensemble(&cpu());
        let values: Vec<f32> = (0..2 * 6 * 16)
            .map(|i| ((i * 37) % 11) as f32 / 5.0)
            .collect();
        let x = Tensor::<3>::from_data(TensorData::new(values, [2, 6, 16]), &training);
        let closed = -1e4;
        let mut mask = vec![0.0; 14];
        mask[12] = closed;
        mask[13] = closed;
        let mask = rows(mask, 2, &training);
        let targets = teacher_targets(&teachers, &x, &mask);
        let again = teacher_targets(&teachers, &x, &mask);
        assert_eq!(targets.to_data(), again.to_data(), "no dropout mask drawn");
        let got: Vec<f32> = targets.to_data().try_to_vec().unwrap();
        let plain = Tensor::<3>::from_data(x.to_data(), &cpu());
        let answered: Vec<f32> = teachers
            .probabilities(plain)
            .to_data()
            .try_to_vec()
            .unwrap();
        // The first window's classes are all open: the teachers' answer as it is.
        for (g, a) in got[..7].iter().zip(&answered[..7]) {
            assert!((g - a).abs() < 1e-6, "{g} against {a}");
        }
        // The second window's last two are closed: nothing there, the rest rescaled.
        assert_eq!(&got[12..14], &[0.0, 0.0]);
        let open: f32 = answered[7..12].iter().sum();
        for (g, a) in got[7..12].iter().zip(&answered[7..12]) {
            assert!((g - a / open).abs() < 1e-6, "{g} against {}", a / open);
        }
        assert!((got[7..].iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
}

//! Risk extrapolation (V-REx, Krueger et al. 2021, *Out-of-distribution generalization via risk
//! extrapolation*): the loss of a batch is the mean over its corpora of each corpus's mean loss,
//! plus `beta` times their variance. A network whose loss is low on one training corpus and high
//! on another has learnt something that holds in one room or language and not the next; asking
//! for equal risks across the corpora it hears is meant to favour what holds on a corpus it
//! never heard. Off by default (`--risk-variance`): with weight 1 it lost its nested screen in
//! session 41, its figure on the inner corpora never heard lower in four outer folds of five
//! (README).

use std::collections::BTreeSet;

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use speech_emotion::Emotion;

use super::Sample;
use super::batch::open_class_nll;
use crate::adversary::corpus_index;

/// Each window's label as a row of one 1 and six 0s, `[n, classes]`.
pub(super) fn one_hot(chunk: &[&Sample], device: &Device) -> Tensor<2> {
    let rows: Vec<f32> = chunk
        .iter()
        .flat_map(|s| Emotion::ALL.map(|e| if e == s.label { 1.0 } else { 0.0 }))
        .collect();
    Tensor::from_data(TensorData::new(rows, [chunk.len(), Emotion::COUNT]), device)
}

/// Each window's loss, `[n]`: `(1 - share)` of its cross-entropy against `targets` plus `share`
/// of its mean `-log p` over the classes `mask` leaves open ([`open_class_nll`]); their mean is
/// the batch loss that `super::batch::smooth` gives.
pub(super) fn window_losses(
    logits: Tensor<2>,
    targets: Tensor<2>,
    mask: Tensor<2>,
    share: f32,
) -> Tensor<1> {
    let log_p = log_softmax(logits, 1);
    let nll = (log_p.clone() * targets).sum_dim(1).neg();
    (nll * (1.0 - share) + open_class_nll(log_p, mask) * share).squeeze_dim(1)
}

/// The mean of `losses` over each corpus's windows, one entry per corpus the batch holds (in
/// the order of `Corpus::ALL`): one matrix product with a row of `1 / count` weights per corpus.
pub(super) fn corpus_risks(losses: Tensor<1>, chunk: &[&Sample], device: &Device) -> Tensor<1> {
    let corpora: Vec<usize> = chunk.iter().map(|s| corpus_index(s.corpus)).collect();
    let present: BTreeSet<usize> = corpora.iter().copied().collect();
    let n = corpora.len();
    let mut weights = vec![0.0f32; present.len() * n];
    for (row, &corpus) in present.iter().enumerate() {
        let count = corpora.iter().filter(|&&c| c == corpus).count() as f32;
        for (i, _) in corpora.iter().enumerate().filter(|(_, c)| **c == corpus) {
            weights[row * n + i] = 1.0 / count;
        }
    }
    let weights = Tensor::<2>::from_data(TensorData::new(weights, [present.len(), n]), device);
    weights.matmul(losses.unsqueeze_dim(1)).squeeze_dim(1)
}

/// V-REx's objective over the corpora's risks: their mean plus `beta` times their variance.
pub(super) fn extrapolated(risks: Tensor<1>, beta: f32) -> Tensor<1> {
    let mean = risks.clone().mean();
    let variance = (risks - mean.clone()).powi_scalar(2).mean();
    mean + variance * beta
}

#[cfg(test)]
mod tests {
    use burn::nn::loss::CrossEntropyLossConfig;
    use speech_emotion::classifier::cpu;
    use speech_emotion::features::Matrix;

    use super::super::batch::smooth;
    use super::*;
    use crate::corpus::Corpus;

    fn sample(input: &Matrix, label: Emotion, corpus: Corpus) -> Sample<'_> {
        Sample {
            input,
            label,
            group: 0,
            corpus,
        }
    }

    fn values(t: Tensor<1>) -> Vec<f32> {
        t.into_data().try_to_vec().unwrap()
    }

    #[test]
    fn window_losses_average_to_the_smoothed_batch_loss() {
        let device = cpu();
        let input = Matrix::zeros(1, 1);
        let samples = [
            sample(&input, Emotion::Happy, Corpus::Ravdess),
            sample(&input, Emotion::Sad, Corpus::Nemo),
            sample(&input, Emotion::Fear, Corpus::Ased),
        ];
        let chunk: Vec<&Sample> = samples.iter().collect();
        let logits = Tensor::<2>::from_data(
            TensorData::new(
                vec![
                    0.3, 1.2, -0.4, 0.0, 0.9, -1.0, 0.5, //
                    -0.2, 0.1, 2.0, 0.4, -0.3, 0.0, 0.0, //
                    1.0, -1.0, 0.2, 0.6, 0.1, 0.0, 0.0,
                ],
                [3, 7],
            ),
            &device,
        );
        let closed = -1e4;
        let mask = Tensor::<2>::from_data(
            TensorData::new(
                vec![
                    0., 0., 0., 0., 0., 0., 0., //
                    0., 0., 0., 0., 0., closed, 0., //
                    0., 0., 0., 0., 0., closed, closed,
                ],
                [3, 7],
            ),
            &device,
        );
        let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 2, 4], [3]), &device);
        let masked = logits + mask.clone();
        for share in [0.0, 0.1] {
            let plain = CrossEntropyLossConfig::new()
                .init(&device)
                .forward(masked.clone(), labels.clone());
            let batch = smooth(plain, masked.clone(), mask.clone(), share).into_scalar::<f32>();
            let each = values(window_losses(
                masked.clone(),
                one_hot(&chunk, &device),
                mask.clone(),
                share,
            ));
            let mean = each.iter().sum::<f32>() / 3.0;
            assert!((mean - batch).abs() < 1e-5, "{mean} against {batch}");
        }
    }

    #[test]
    fn each_corpus_gets_the_mean_of_its_own_windows() {
        let device = cpu();
        let input = Matrix::zeros(1, 1);
        let samples = [
            sample(&input, Emotion::Happy, Corpus::Ased),
            sample(&input, Emotion::Sad, Corpus::Ravdess),
            sample(&input, Emotion::Fear, Corpus::Ased),
            sample(&input, Emotion::Angry, Corpus::Ased),
        ];
        let chunk: Vec<&Sample> = samples.iter().collect();
        let losses =
            Tensor::<1>::from_data(TensorData::new(vec![1.0, 5.0, 2.0, 6.0], [4]), &device);
        // RAVDESS comes before ASED in Corpus::ALL.
        assert_eq!(
            values(corpus_risks(losses, &chunk, &device)),
            vec![5.0, 3.0]
        );
    }

    #[test]
    fn the_penalty_is_the_variance_of_the_risks() {
        let device = cpu();
        let risks = Tensor::<1>::from_data(TensorData::new(vec![1.0, 2.0, 6.0], [3]), &device);
        // Mean 3, variance (4 + 1 + 9) / 3.
        let off = extrapolated(risks.clone(), 0.0).into_scalar::<f32>();
        assert!((off - 3.0).abs() < 1e-6, "{off}");
        let on = extrapolated(risks, 0.5).into_scalar::<f32>();
        assert!((on - (3.0 + 0.5 * 14.0 / 3.0)).abs() < 1e-5, "{on}");
        let equal = Tensor::<1>::from_data(TensorData::new(vec![2.0, 2.0], [2]), &device);
        assert!((extrapolated(equal, 10.0).into_scalar::<f32>() - 2.0).abs() < 1e-6);
    }
}

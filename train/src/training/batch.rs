//! A batch of training windows as tensors: normalised, their bands moved and masked, with each
//! window's label, corpus and the classes its corpus records; and the smoothed loss over them.

use burn::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;
use speech_emotion::Emotion;

use super::{Sample, Standardisation, TrainConfig};
use crate::adversary::corpus_index;
use crate::augment::bands::shift_bands;

/// The tensors of one batch of `n` windows.
pub(super) struct Batch {
    /// Inputs, `[n, rows, cols]`.
    pub inputs: Tensor<3>,
    /// Class indices, `[n]`.
    pub labels: Tensor<1, Int>,
    /// 0 for the classes a window's corpus records, a large negative logit for the others,
    /// `[n, classes]`: added to the logits, softmax gives those classes nothing, so the window
    /// neither rewards nor punishes them.
    pub mask: Tensor<2>,
    /// Corpus indices for the adversary, `[n]`.
    pub corpora: Tensor<1, Int>,
}

impl Batch {
    /// Normalises each window (training windows are stored raw), then moves and masks its
    /// bands as `config` says, drawing from `rng`.
    pub fn new(
        samples: &[&Sample],
        config: &TrainConfig,
        normalization: Option<Standardisation>,
        rng: &mut StdRng,
        device: &Device,
    ) -> Self {
        let (rows, cols) = (samples[0].input.rows, samples[0].input.cols);
        let mut data: Vec<f32> = Vec::with_capacity(samples.len() * rows * cols);
        for s in samples {
            let mut input = s.input.clone();
            if let Some(normalization) = normalization {
                normalization.of(s.corpus).apply(&mut input);
            }
            if config.band_shift > 0 {
                let reach = config.band_shift as i64;
                let offset = rng.random_range(-reach..=reach) as isize;
                input = shift_bands(&input, config.bands_from, offset);
            }
            config.masks.apply(&mut input, config.bands_from, rng);
            data.extend_from_slice(&input.data);
        }
        let labels: Vec<i64> = samples.iter().map(|s| s.label.index() as i64).collect();
        let corpora: Vec<i64> = samples
            .iter()
            .map(|s| corpus_index(s.corpus) as i64)
            .collect();
        let mask: Vec<f32> = samples
            .iter()
            .flat_map(|s| {
                Emotion::ALL.map(|e| {
                    if config.teaches(s.corpus, e) {
                        0.0
                    } else {
                        -1e4
                    }
                })
            })
            .collect();
        let n = samples.len();
        Self {
            inputs: Tensor::from_data(TensorData::new(data, [n, rows, cols]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
            mask: Tensor::from_data(TensorData::new(mask, [n, Emotion::COUNT]), device),
            corpora: Tensor::from_data(TensorData::new(corpora, [n]), device),
        }
    }
}

/// Label smoothing (Szegedy et al. 2016) over the classes a window may have: `(1 - share)` of
/// the cross-entropy `loss` plus `share` of the mean of `-log p` over the classes its mask leaves
/// open (masked classes sit near `-1e4` and would swamp it). A network never pushed to certainty
/// is meant to stay less sure of the one answer an unheard corpus would otherwise collapse onto.
pub(super) fn smooth(loss: Tensor<1>, logits: Tensor<2>, mask: Tensor<2>, share: f32) -> Tensor<1> {
    if share <= 0.0 {
        return loss;
    }
    let log_p = burn::tensor::activation::log_softmax(logits, 1);
    loss * (1.0 - share) + open_class_nll(log_p, mask).mean() * share
}

/// Each window's mean `-log p` over the classes its mask leaves open, `[n, 1]`: the target
/// label smoothing spreads over them.
pub(super) fn open_class_nll(log_p: Tensor<2>, mask: Tensor<2>) -> Tensor<2> {
    let open = mask.greater_elem(-1.0).float();
    (log_p * open.clone()).sum_dim(1).neg() / open.sum_dim(1)
}

#[cfg(test)]
mod tests {
    use burn::nn::loss::CrossEntropyLossConfig;
    use speech_emotion::classifier::cpu;

    use super::*;

    #[test]
    fn label_smoothing_spreads_the_target_over_the_open_classes_only() {
        let device = cpu();
        let row =
            |v: [f32; 7]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [1, 7]), &device);
        let closed = -1e4;
        let mask = row([0., 0., 0., 0., 0., closed, closed]);
        let y = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64], [1]), &device);
        let loss_fn = CrossEntropyLossConfig::new().init(&device);
        let value = |t: Tensor<1>| t.into_scalar::<f32>();

        // Equal logits over five open classes: every -log p is ln 5, smoothed or not.
        let flat = row([0.; 7]) + mask.clone();
        let plain = loss_fn.forward(flat.clone(), y.clone());
        let smoothed = value(smooth(plain, flat, mask.clone(), 0.2));
        assert!((smoothed - 5f32.ln()).abs() < 1e-4, "{smoothed}");

        // One confident class: the smoothed loss adds the mean -log p of the five open classes.
        let sure = row([3., 0., 0., 0., 0., 0., 0.]) + mask.clone();
        let p0 = 3f32.exp() / (3f32.exp() + 4.0);
        let mean_nll = (-p0.ln() - 4.0 * (1.0 / (3f32.exp() + 4.0)).ln()) / 5.0;
        let plain = loss_fn.forward(sure.clone(), y.clone());
        let unsmoothed = value(smooth(plain.clone(), sure.clone(), mask.clone(), 0.0));
        assert!((unsmoothed + p0.ln()).abs() < 1e-5, "{unsmoothed}");
        let smoothed = value(smooth(plain, sure, mask, 0.1));
        let expected = 0.9 * -p0.ln() + 0.1 * mean_nll;
        assert!(
            (smoothed - expected).abs() < 1e-4,
            "{smoothed} against {expected}"
        );
    }
}

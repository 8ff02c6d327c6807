//! Domain-adversarial training (Ganin & Lempitsky, 2015): a small network learns to tell from
//! a window's summary which corpus it came from, and the gradient it sends back into the
//! emotion network is reversed, so the convolutions learn what the corpora do *not* share:
//! the room, microphone, language and acting direction that make a model trained on four
//! corpora answer one class for all of a fifth. Only training uses it; the shipped model is the
//! emotion network alone.

use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;

use crate::corpus::Corpus;

/// Which corpus a window's summary comes from: one hidden layer, then one logit per corpus.
#[derive(Module, Debug)]
pub struct CorpusAdversary {
    hidden: Linear,
    activation: Relu,
    out: Linear,
}

impl CorpusAdversary {
    /// An adversary over summaries of `width` values.
    pub fn new(width: usize, device: &Device) -> Self {
        Self {
            hidden: LinearConfig::new(width, 64).init(device),
            activation: Relu::new(),
            out: LinearConfig::new(64, Corpus::ALL.len()).init(device),
        }
    }

    /// Corpus logits `[batch, corpora]` from summaries `[batch, width]`, the gradient towards
    /// the summaries reversed and scaled by `strength`.
    pub fn forward(&self, embedding: Tensor<2>, strength: f32) -> Tensor<2> {
        let x = reverse_gradient(embedding, strength);
        self.out
            .forward(self.activation.forward(self.hidden.forward(x)))
    }
}

/// The identity going forward; going back, the gradient multiplied by `-strength`.
pub fn reverse_gradient<const D: usize>(x: Tensor<D>, strength: f32) -> Tensor<D> {
    let held = x.clone().detach();
    held.clone() - (x - held) * strength
}

/// The reversal's strength at `progress` (0 to 1) through training: DANN's ramp from 0 to
/// `weight`, so the emotion network learns something before it is pushed off the corpora.
pub fn strength(weight: f32, progress: f64) -> f32 {
    (f64::from(weight) * (2.0 / (1.0 + (-10.0 * progress).exp()) - 1.0)) as f32
}

/// The index of a corpus among the adversary's outputs.
pub fn corpus_index(corpus: Corpus) -> usize {
    Corpus::ALL
        .iter()
        .position(|&c| c == corpus)
        .expect("every corpus is in Corpus::ALL")
}

#[cfg(test)]
mod tests {
    use super::*;
    use speech_emotion::classifier::cpu;

    #[test]
    fn reversal_keeps_values_and_turns_gradients_round() {
        let device = cpu().autodiff();
        let x = Tensor::<2>::from_data([[1.0f32, -2.0], [0.5, 3.0]], &device).require_grad();
        let y = reverse_gradient(x.clone(), 0.5);
        let diff: f32 = (y.clone() - x.clone()).abs().max().into_scalar();
        assert_eq!(diff, 0.0);
        let grads = y.sum().backward();
        let g: Vec<f32> = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert_eq!(g, vec![-0.5; 4]);
    }

    #[test]
    fn strength_ramps_from_zero_to_the_weight() {
        assert_eq!(strength(0.3, 0.0), 0.0);
        assert!(strength(0.3, 0.1) > 0.1 && strength(0.3, 0.1) < 0.3);
        assert!((strength(0.3, 1.0) - 0.3).abs() < 1e-4);
        assert_eq!(corpus_index(Corpus::ALL[3]), 3);
    }
}

//! The training loop of one network: Adam on cross-entropy, a learning rate that decays by
//! cosine, early stopping on a validation set, the log-mel bands moved at random, seeded so
//! that a run can be reproduced.

use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use speech_emotion::Emotion;
use speech_emotion::classifier::{batch_probabilities, cpu};
use speech_emotion::features::Matrix;
use speech_emotion::model::{EmotionCnn, Ensemble, ModelConfig};

use crate::augment::bands::shift_bands;

/// Hyper-parameters of one training run.
#[derive(Debug, Clone, Serialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f32,
    /// Epochs without a better validation macro-F1 before stopping.
    pub patience: usize,
    pub seed: u64,
    /// Largest move of the log-mel bands (rows from `bands_from` on), drawn per window and
    /// epoch; 0 leaves the inputs as they are.
    pub band_shift: usize,
    /// First row of the spectral bands.
    pub bands_from: usize,
}

/// A normalised input with its class; `group` ties the windows and copies of one clip.
pub struct Sample<'a> {
    pub input: &'a Matrix,
    pub label: Emotion,
    pub group: usize,
}

/// Loss and scores per epoch.
#[derive(Debug, Clone, Serialize)]
pub struct Epoch {
    pub epoch: usize,
    pub learning_rate: f64,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub valid_accuracy: f64,
    pub valid_macro_f1: f64,
}

/// Parameters are initialised lazily; touching them right after seeding makes the draw happen
/// then, so a seed always gives the same network.
struct Materialize;

impl ModuleVisitor for Materialize {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}

fn batch(
    samples: &[&Sample],
    config: &TrainConfig,
    rng: &mut StdRng,
    device: &Device,
) -> (Tensor<3>, Tensor<1, Int>) {
    let (rows, cols) = (samples[0].input.rows, samples[0].input.cols);
    let mut data: Vec<f32> = Vec::with_capacity(samples.len() * rows * cols);
    for s in samples {
        if config.band_shift == 0 {
            data.extend_from_slice(&s.input.data);
        } else {
            let reach = config.band_shift as i64;
            let offset = rng.random_range(-reach..=reach) as isize;
            data.extend_from_slice(&shift_bands(s.input, config.bands_from, offset).data);
        }
    }
    let labels: Vec<i64> = samples.iter().map(|s| s.label.index() as i64).collect();
    (
        Tensor::<3>::from_data(TensorData::new(data, [samples.len(), rows, cols]), device),
        Tensor::<1, Int>::from_data(TensorData::new(labels, [samples.len()]), device),
    )
}

/// Trains a network; each epoch sees one random window of one random copy of every training
/// clip. Returns the inference-mode network of the best validation epoch and the history.
pub fn train(
    model_config: &ModelConfig,
    config: &TrainConfig,
    train: &[Sample],
    valid: &[Sample],
    label: &str,
) -> (EmotionCnn, Vec<Epoch>) {
    let device = cpu().autodiff();
    device.seed(config.seed);
    let mut model = model_config.init(&device);
    model.visit(&mut Materialize);
    let mut optimizer = AdamConfig::new()
        .with_weight_decay(Some(burn::optim::decay::WeightDecayConfig::new(
            config.weight_decay,
        )))
        .init();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let mut rng = StdRng::seed_from_u64(config.seed);

    let mut groups: Vec<Vec<usize>> = Vec::new();
    {
        let mut index = std::collections::HashMap::new();
        for (i, s) in train.iter().enumerate() {
            let g = *index.entry(s.group).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
    }

    let bar = ProgressBar::new(config.epochs as u64).with_style(
        ProgressStyle::with_template("{prefix} epoch {pos}/{len} {bar:30} {msg}")
            .expect("template"),
    );
    bar.set_prefix(label.to_string());
    let valid_inputs: Vec<&Matrix> = valid.iter().map(|s| s.input).collect();
    let mut best: Option<(f64, Ensemble)> = None;
    let mut history = Vec::new();
    let mut since_best = 0;
    for epoch in 0..config.epochs {
        let progress = epoch as f64 / config.epochs as f64;
        let lr = config.learning_rate
            * (0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()));
        let mut picks: Vec<&Sample> = groups
            .iter()
            .map(|g| &train[g[rng.random_range(0..g.len())]])
            .collect();
        picks.shuffle(&mut rng);
        let (mut loss_sum, mut correct, mut batches) = (0.0f64, 0usize, 0usize);
        for chunk in picks.chunks(config.batch_size) {
            if chunk.len() < 2 {
                continue;
            }
            let (x, y) = batch(chunk, config, &mut rng, &device);
            let logits = model.forward(x);
            let loss = loss_fn.forward(logits.clone(), y.clone());
            let predicted = logits.clone().argmax(1).squeeze_dim::<1>(1);
            correct += predicted.equal(y).int().sum().into_scalar::<i64>() as usize;
            loss_sum += f64::from(loss.clone().into_scalar::<f32>());
            batches += 1;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
        }
        let eval = Ensemble::new(vec![model.valid()]).expect("one network");
        let pairs: Vec<(Emotion, Emotion)> = batch_probabilities(&eval, &valid_inputs, &cpu())
            .expect("validation windows have the model's shape")
            .iter()
            .zip(valid)
            .map(|(p, s)| (s.label, p.top().0))
            .collect();
        let report = crate::metrics::Report::new(&pairs);
        let record = Epoch {
            epoch: epoch + 1,
            learning_rate: lr,
            train_loss: loss_sum / batches.max(1) as f64,
            train_accuracy: correct as f64 / picks.len().max(1) as f64,
            valid_accuracy: report.accuracy,
            valid_macro_f1: report.macro_f1,
        };
        bar.set_message(format!(
            "loss {:.3} acc {:.1}% | valid acc {:.1}% F1 {:.3}",
            record.train_loss,
            100.0 * record.train_accuracy,
            100.0 * record.valid_accuracy,
            record.valid_macro_f1
        ));
        bar.inc(1);
        bar.suspend(|| eprintln!(
            "{label} epoch {:>2}: lr {:.2e} loss {:.3} train acc {:.1}% valid acc {:.1}% valid F1 {:.3}",
            record.epoch,
            lr,
            record.train_loss,
            100.0 * record.train_accuracy,
            100.0 * record.valid_accuracy,
            record.valid_macro_f1
        ));
        let score = record.valid_macro_f1;
        history.push(record);
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, eval));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= config.patience {
                bar.suspend(|| {
                    eprintln!(
                        "{label}: early stop, no better validation F1 for {} epochs",
                        config.patience
                    )
                });
                break;
            }
        }
    }
    bar.finish_and_clear();
    let (_, model) = best.expect("at least one epoch");
    let model = model.into_members().pop().expect("one member");
    (model, history)
}

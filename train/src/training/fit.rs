//! The training loop of one network: Adam on the (smoothed, masked) cross-entropy, a learning
//! rate that decays by cosine, and early stopping on the validation speakers' mean per-corpus
//! UAR; the network kept is the best validation epoch's, or with `average_from` the mean of the
//! later epochs' weights.

use std::collections::BTreeMap;
use std::sync::Mutex;

use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand::rngs::StdRng;
use speech_emotion::classifier::cpu;
use speech_emotion::dropout::seed_dropout;
use speech_emotion::model::{EmotionCnn, Ensemble, ModelConfig};

use super::average::{WeightAverage, refresh_batch_norm};
use super::batch::{Batch, smooth};
use super::distil::{distilled, teacher_targets};
use super::jobs::Job;
use super::risk::{corpus_risks, extrapolated, one_hot, window_losses};
use super::sampling::{clip_groups, epoch_picks};
use super::{Epoch, Sample, TrainConfig, Trained, validation_scores};
use crate::adversary::{CorpusAdversary, strength};
use crate::augment::mixup::{Mixed, mix};
use crate::augment::style::restyle;
use crate::corpus::Corpus;

/// The emotion network and, when training adversarially, the corpus adversary beside it: one
/// module, so one optimizer steps both from one loss.
#[derive(Module, Debug)]
struct Learner {
    net: EmotionCnn,
    adversary: Option<CorpusAdversary>,
}

/// Parameters are initialised lazily; touching them right after seeding makes the draw happen
/// then, so a seed always gives the same network.
struct Materialize;

impl ModuleVisitor for Materialize {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}

/// Burn's ndarray backend seeds one process-wide generator: seeding and drawing the initial
/// weights happen under this lock, so threads never take each other's draws.
static INIT: Mutex<()> = Mutex::new(());

/// Seeds Burn's generator and draws a module's initial weights under [`INIT`].
fn seeded<M: Module>(device: &Device, seed: u64, init: impl FnOnce() -> M) -> M {
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    let module = init();
    module.visit(&mut Materialize);
    module
}

impl Learner {
    /// The seeded network, and the adversary when `config` asks for one.
    fn new(model_config: &ModelConfig, config: &TrainConfig, device: &Device) -> Self {
        let net = seeded(device, config.seed, || model_config.init(device));
        let adversary = (config.adversarial_weight > 0.0).then(|| {
            seeded(device, config.seed ^ 0xADD5, || {
                CorpusAdversary::new(model_config.embedding_width(), device)
            })
        });
        Self { net, adversary }
    }
}

/// The cosine schedule: from `learning_rate` down to 5 % of it over the epochs.
fn learning_rate(config: &TrainConfig, progress_share: f64) -> f64 {
    config.learning_rate
        * (0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * progress_share).cos()))
}

/// What stays the same over one network's training: its job, optimiser, loss and device.
struct Fit<'j, 'd, 'a> {
    job: &'j Job<'d, 'a>,
    optimizer: ModuleOptimizer,
    loss_fn: CrossEntropyLoss,
    device: Device,
}

/// Training loss and correct answers summed over an epoch's batches.
#[derive(Default)]
struct Tally {
    loss_sum: f64,
    correct: usize,
    batches: usize,
}

impl Fit<'_, '_, '_> {
    /// One pass over `picks` in batches; a last batch of one window is skipped (batch norm
    /// needs two).
    fn epoch(
        &mut self,
        mut learner: Learner,
        picks: &[&Sample],
        lr: f64,
        progress_share: f64,
        rng: &mut StdRng,
    ) -> (Learner, Tally) {
        let mut tally = Tally::default();
        for chunk in picks.chunks(self.job.config.batch_size) {
            if chunk.len() >= 2 {
                learner = self.step(learner, chunk, lr, progress_share, rng, &mut tally);
            }
        }
        (learner, tally)
    }

    /// One optimiser step on one batch: mixup and MixStyle if asked, the masked and smoothed
    /// loss, the teachers' answer if distilling, the adversary's reversed loss if any.
    fn step(
        &mut self,
        learner: Learner,
        chunk: &[&Sample],
        lr: f64,
        progress_share: f64,
        rng: &mut StdRng,
        tally: &mut Tally,
    ) -> Learner {
        let config = &self.job.config;
        let batch = Batch::new(chunk, config, self.job.normalization, rng, &self.device);
        let y = batch.labels;
        let mixed = mix(
            batch.inputs.clone(),
            &y,
            batch.mask.clone(),
            config.mixup,
            rng,
        );
        let (x, mask) = match &mixed {
            Some(m) => (m.inputs.clone(), m.mask.clone()),
            None => (batch.inputs, batch.mask),
        };
        let taught = (self.job.teachers.zip(config.distil))
            .map(|(teachers, distil)| (teacher_targets(teachers, &x, &mask), distil.weight));
        let embedding = learner
            .net
            .embed_restyled(x, |maps| restyle(maps, config.mix_style, rng));
        let logits = learner.net.classify(embedding.clone()) + mask.clone();
        let loss = self.objective(logits.clone(), &y, mask, mixed, chunk, progress_share);
        let loss = match taught {
            Some((targets, weight)) => distilled(loss, logits.clone(), targets, weight),
            None => loss,
        };
        let predicted = logits.argmax(1).squeeze_dim::<1>(1);
        tally.correct += predicted.equal(y).int().sum().into_scalar::<i64>() as usize;
        tally.loss_sum += f64::from(loss.clone().into_scalar::<f32>());
        tally.batches += 1;
        let loss = match &learner.adversary {
            Some(adversary) => {
                let reach = strength(config.adversarial_weight, progress_share);
                loss + self
                    .loss_fn
                    .forward(adversary.forward(embedding, reach), batch.corpora)
            }
            None => loss,
        };
        let grads = GradientsParams::from_grads(loss.backward(), &learner);
        self.optimizer.step(lr, learner, grads)
    }

    /// The batch's loss: the cross-entropy (against the mixup partner too, if any), smoothed;
    /// with `risk_variance`, the mean of the corpora's risks plus their variance, ramped up.
    fn objective(
        &self,
        logits: Tensor<2>,
        y: &Tensor<1, Int>,
        mask: Tensor<2>,
        mixed: Option<Mixed>,
        chunk: &[&Sample],
        progress_share: f64,
    ) -> Tensor<1> {
        let config = &self.job.config;
        if config.risk_variance > 0.0 {
            let targets = one_hot(chunk, &self.device);
            let losses = window_losses(logits, targets, mask, config.label_smoothing);
            let beta = strength(config.risk_variance, progress_share);
            return extrapolated(corpus_risks(losses, chunk, &self.device), beta);
        }
        let loss = match mixed {
            Some(m) => {
                self.loss_fn.forward(logits.clone(), y.clone()) * (1.0 - m.share)
                    + self.loss_fn.forward(logits.clone(), m.partner) * m.share
            }
            None => self.loss_fn.forward(logits.clone(), y.clone()),
        };
        smooth(loss, logits, mask, config.label_smoothing)
    }
}

/// The best validation epoch's network so far, and how many epochs ago it was.
struct EarlyStop {
    patience: usize,
    best: Option<(f64, Ensemble)>,
    since_best: usize,
}

impl EarlyStop {
    /// Keeps `model` if `score` beats the best so far; false once `patience` epochs in a row
    /// have not.
    fn go_on(&mut self, score: f64, model: Ensemble) -> bool {
        if self.best.as_ref().is_none_or(|(b, _)| score > *b) {
            self.best = Some((score, model));
            self.since_best = 0;
            return true;
        }
        self.since_best += 1;
        self.since_best < self.patience
    }
}

/// The progress bar of one network, one step per epoch.
fn epoch_bar(progress: &MultiProgress, epochs: usize, label: &str) -> ProgressBar {
    let bar = progress.add(
        ProgressBar::new(epochs as u64).with_style(
            ProgressStyle::with_template("{prefix} epoch {pos}/{len} {bar:30} {msg}")
                .expect("template"),
        ),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// Moves the bar on by one epoch and prints the epoch's line above the bars.
fn show_epoch(bar: &ProgressBar, progress: &MultiProgress, label: &str, record: &Epoch) {
    bar.set_message(format!(
        "loss {:.3} acc {:.1}% | valid UAR {:.3}",
        record.train_loss,
        100.0 * record.train_accuracy,
        record.valid_uar,
    ));
    bar.inc(1);
    progress.suspend(|| eprintln!(
        "{label} epoch {:>2}: lr {:.2e} loss {:.3} train acc {:.1}% valid acc {:.1}% F1 {:.3} mean corpus UAR {:.3}",
        record.epoch,
        record.learning_rate,
        record.train_loss,
        100.0 * record.train_accuracy,
        100.0 * record.valid_accuracy,
        record.valid_macro_f1,
        record.valid_uar
    ));
}

/// Trains the network of `job`. Returns the inference-mode network of the best validation epoch
/// and the history.
pub(super) fn train(model_config: &ModelConfig, job: &Job, progress: &MultiProgress) -> Trained {
    let (config, label) = (&job.config, job.label.as_str());
    let device = cpu().autodiff();
    let mut learner = Learner::new(model_config, config, &device);
    seed_dropout(config.seed);
    let mut fit = Fit {
        job,
        optimizer: AdamConfig::new()
            .with_weight_decay(Some(WeightDecayConfig::new(config.weight_decay)))
            .init(),
        loss_fn: CrossEntropyLossConfig::new().init(&device),
        device,
    };
    let mut rng = StdRng::seed_from_u64(config.seed);
    let groups = clip_groups(job.train);
    let bar = epoch_bar(progress, config.epochs, label);
    let mut stop = EarlyStop {
        patience: config.patience,
        best: None,
        since_best: 0,
    };
    let mut history = Vec::new();
    let average_start = config
        .average_from
        .map(|share| (share * config.epochs as f64).ceil() as usize);
    let mut average = WeightAverage::default();
    for epoch in 0..config.epochs {
        let progress_share = epoch as f64 / config.epochs as f64;
        let lr = learning_rate(config, progress_share);
        let picks = epoch_picks(job.train, &groups, config, &mut rng);
        let tally;
        (learner, tally) = fit.epoch(learner, &picks, lr, progress_share, &mut rng);
        let net = learner.net.valid();
        if average_start.is_some_and(|start| epoch >= start) {
            average.add(&net);
        }
        let eval = Ensemble::new(vec![net]).expect("one network");
        let (valid_uar, report) =
            validation_scores(&eval, job.valid).expect("validation windows have the model's shape");
        let record = Epoch {
            epoch: epoch + 1,
            learning_rate: lr,
            train_loss: tally.loss_sum / tally.batches.max(1) as f64,
            train_accuracy: tally.correct as f64 / picks.len().max(1) as f64,
            valid_accuracy: report.accuracy,
            valid_macro_f1: report.macro_f1,
            valid_uar,
        };
        show_epoch(&bar, progress, label, &record);
        history.push(record);
        if !stop.go_on(valid_uar, eval) {
            progress.suspend(|| {
                eprintln!(
                    "{label}: early stop, no better validation UAR for {} epochs",
                    config.patience
                )
            });
            break;
        }
    }
    bar.finish_and_clear();
    progress.remove(&bar);
    let (_, best) = stop.best.expect("at least one epoch");
    let best = best.into_members().pop().expect("one member");
    let model = match average.mean(best.clone()) {
        Some(mean) => fit.averaged(mean, &average, &groups, &mut rng, progress),
        None => best,
    };
    (model, history)
}

impl Fit<'_, '_, '_> {
    /// The mean network `mean` of `average` with its batch norm measured again, its validation
    /// score printed.
    fn averaged(
        &self,
        mean: EmotionCnn,
        average: &WeightAverage,
        groups: &BTreeMap<Corpus, Vec<Vec<usize>>>,
        rng: &mut StdRng,
        progress: &MultiProgress,
    ) -> EmotionCnn {
        let net = self.refresh(mean, groups, rng);
        report_average(&net, average, self.job, progress);
        net
    }

    /// `net` with its batch-norm statistics measured on one epoch's training batches, drawn
    /// and augmented as in training.
    fn refresh(
        &self,
        net: EmotionCnn,
        groups: &BTreeMap<Corpus, Vec<Vec<usize>>>,
        rng: &mut StdRng,
    ) -> EmotionCnn {
        let config = &self.job.config;
        let picks = epoch_picks(self.job.train, groups, config, rng);
        let batches = picks
            .chunks(config.batch_size)
            .filter(|chunk| chunk.len() >= 2)
            .map(|chunk| {
                Batch::new(chunk, config, self.job.normalization, rng, &self.device).inputs
            });
        refresh_batch_norm(net, batches)
    }
}

/// Prints the averaged network's validation score beside the count of epochs averaged.
fn report_average(net: &EmotionCnn, average: &WeightAverage, job: &Job, progress: &MultiProgress) {
    let eval = Ensemble::new(vec![net.clone()]).expect("one network");
    let (valid_uar, _) =
        validation_scores(&eval, job.valid).expect("validation windows have the model's shape");
    progress.suspend(|| {
        eprintln!(
            "{}: the mean of its weights over its last {} epoch(s), mean corpus UAR {valid_uar:.3}",
            job.label,
            average.count()
        )
    });
}

//! The training loop of one network: Adam on cross-entropy over the classes each clip's corpus
//! records, corpus-balanced batches, a learning rate that decays by cosine, early stopping on
//! the validation speakers' mean per-corpus UAR, the log-mel bands moved at random; seeded, so
//! that a run can be reproduced, and several networks trained at once on every core.

use std::collections::BTreeMap;
use std::sync::Mutex;

use burn::module::{Module, ModuleVisitor, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use speech_emotion::Emotion;
use speech_emotion::classifier::{batch_probabilities, cpu};
use speech_emotion::dropout::seed_dropout;
use speech_emotion::features::Matrix;
use speech_emotion::input::Normalization;
use speech_emotion::model::{EmotionCnn, Ensemble, ModelConfig};

use crate::adversary::{CorpusAdversary, corpus_index, strength};
use crate::augment::bands::shift_bands;
use crate::augment::masking::Masks;
use crate::augment::mixup::mix;
use crate::corpus::Corpus;
use crate::metrics::Report;
use speech_emotion::parallel::map_in_order;

/// Hyper-parameters of one training run.
#[derive(Debug, Clone, Serialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f32,
    /// Epochs without a better validation score before stopping.
    pub patience: usize,
    pub seed: u64,
    /// Largest move of the log-mel bands (rows from `bands_from` on), drawn per window and
    /// epoch; 0 leaves the inputs as they are.
    pub band_shift: usize,
    /// First row of the spectral bands.
    pub bands_from: usize,
    /// Every corpus drawn equally often in an epoch (else every clip once).
    pub balance_corpora: bool,
    /// Draws per epoch when balancing, spread equally over the corpora.
    pub epoch_size: usize,
    /// The loss of a clip only over the classes its corpus records.
    pub mask_absent_classes: bool,
    /// Strength of the corpus adversary's reversed gradient (0: no adversary); see
    /// [`crate::adversary`].
    pub adversarial_weight: f32,
    /// Largest share of a mixup partner in a window (0: no mixup); see [`crate::augment::mixup`].
    pub mixup: f32,
    /// Share of each target spread evenly over the classes the window may have (0: none).
    pub label_smoothing: f32,
    /// SpecAugment's band and frame masks (off by default); see [`crate::augment::masking`].
    pub masks: Masks,
}

/// The emotion network and, when training adversarially, the corpus adversary beside it: one
/// module, so one optimizer steps both from one loss.
#[derive(Module, Debug)]
struct Learner {
    net: EmotionCnn,
    adversary: Option<CorpusAdversary>,
}

/// An input with its class; `group` ties the windows and copies of one clip. Training inputs are
/// normalised as batches are made (see [`Job::normalization`]), validation inputs beforehand.
pub struct Sample<'a> {
    pub input: &'a Matrix,
    pub label: Emotion,
    pub group: usize,
    pub corpus: Corpus,
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
    /// Mean over the validation corpora of each one's UAR: the early-stopping score.
    pub valid_uar: f64,
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

fn init_network(model_config: &ModelConfig, device: &Device, seed: u64) -> EmotionCnn {
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    let model = model_config.init(device);
    model.visit(&mut Materialize);
    model
}

/// A model on validation windows: the mean over corpora of each one's UAR (the figure early
/// stopping and the choice of configuration use) and the report over all windows together.
pub fn validation_scores(
    model: &Ensemble,
    valid: &[Sample],
) -> speech_emotion::Result<(f64, Report)> {
    let inputs: Vec<&Matrix> = valid.iter().map(|s| s.input).collect();
    let predicted: Vec<Emotion> = batch_probabilities(model, &inputs, &cpu())?
        .iter()
        .map(|p| p.top().0)
        .collect();
    let uar = mean_corpus_uar(
        valid
            .iter()
            .zip(&predicted)
            .map(|(s, &p)| (s.corpus, s.label, p)),
    );
    let pairs: Vec<(Emotion, Emotion)> = valid
        .iter()
        .zip(&predicted)
        .map(|(s, &p)| (s.label, p))
        .collect();
    Ok((uar, Report::new(&pairs)))
}

/// Mean over corpora of the UAR of `(corpus, truth, predicted)` triples.
pub fn mean_corpus_uar(triples: impl IntoIterator<Item = (Corpus, Emotion, Emotion)>) -> f64 {
    let mut per: BTreeMap<Corpus, Vec<(Emotion, Emotion)>> = BTreeMap::new();
    for (corpus, truth, predicted) in triples {
        per.entry(corpus).or_default().push((truth, predicted));
    }
    per.values().map(|p| Report::new(p).uar).sum::<f64>() / per.len().max(1) as f64
}

fn batch(
    samples: &[&Sample],
    config: &TrainConfig,
    normalization: Option<&Normalization>,
    rng: &mut StdRng,
    device: &Device,
) -> (Tensor<3>, Tensor<1, Int>, Tensor<2>, Tensor<1, Int>) {
    let (rows, cols) = (samples[0].input.rows, samples[0].input.cols);
    let mut data: Vec<f32> = Vec::with_capacity(samples.len() * rows * cols);
    for s in samples {
        let mut input = s.input.clone();
        if let Some(normalization) = normalization {
            normalization.apply(&mut input);
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
    // A large negative logit for the classes a clip's corpus lacks: softmax gives them nothing,
    // so the clip neither rewards nor punishes them.
    let mask: Vec<f32> = samples
        .iter()
        .flat_map(|s| {
            Emotion::ALL.map(|e| {
                if !config.mask_absent_classes || s.corpus.classes().contains(&e) {
                    0.0
                } else {
                    -1e4
                }
            })
        })
        .collect();
    (
        Tensor::<3>::from_data(TensorData::new(data, [samples.len(), rows, cols]), device),
        Tensor::<1, Int>::from_data(TensorData::new(labels, [samples.len()]), device),
        Tensor::<2>::from_data(
            TensorData::new(mask, [samples.len(), Emotion::COUNT]),
            device,
        ),
        Tensor::<1, Int>::from_data(TensorData::new(corpora, [samples.len()]), device),
    )
}

/// Label smoothing (Szegedy et al. 2016) over the classes a window may have: `(1 - share)` of
/// the cross-entropy `loss` plus `share` of the mean of `-log p` over the classes its mask leaves
/// open (masked classes sit near `-1e4` and would swamp it). A network never pushed to certainty
/// is meant to stay less sure of the one answer an unheard corpus would otherwise collapse onto.
fn smooth(loss: Tensor<1>, logits: Tensor<2>, mask: Tensor<2>, share: f32) -> Tensor<1> {
    if share <= 0.0 {
        return loss;
    }
    let open = mask.greater_elem(-1.0).float();
    let log_p = burn::tensor::activation::log_softmax(logits, 1);
    let uniform = ((log_p * open.clone()).sum_dim(1).neg() / open.sum_dim(1)).mean();
    loss * (1.0 - share) + uniform * share
}

/// The clips (groups of windows) of each corpus, as indices into the training samples.
fn clip_groups(train: &[Sample]) -> BTreeMap<Corpus, Vec<Vec<usize>>> {
    let mut index = std::collections::HashMap::new();
    let mut groups: BTreeMap<Corpus, Vec<Vec<usize>>> = BTreeMap::new();
    for (i, s) in train.iter().enumerate() {
        let list = groups.entry(s.corpus).or_default();
        let g = *index.entry(s.group).or_insert_with(|| {
            list.push(Vec::new());
            list.len() - 1
        });
        list[g].push(i);
    }
    groups
}

/// One epoch's windows: one random window of one random copy per clip drawn; with balancing,
/// `epoch_size` draws spread equally over the corpora, else every clip once.
fn epoch_picks<'s, 'a>(
    train: &'s [Sample<'a>],
    groups: &BTreeMap<Corpus, Vec<Vec<usize>>>,
    config: &TrainConfig,
    rng: &mut StdRng,
) -> Vec<&'s Sample<'a>> {
    let mut picks = Vec::new();
    for list in groups.values() {
        let draws = if config.balance_corpora {
            config.epoch_size / groups.len()
        } else {
            list.len()
        };
        for k in 0..draws {
            let g = if config.balance_corpora {
                &list[rng.random_range(0..list.len())]
            } else {
                &list[k]
            };
            picks.push(&train[g[rng.random_range(0..g.len())]]);
        }
    }
    picks.shuffle(rng);
    picks
}

/// Trains the network of `job`. Returns the inference-mode network of the best validation epoch
/// and the history.
pub fn train(model_config: &ModelConfig, job: &Job, progress: &MultiProgress) -> Trained {
    let (config, train, valid, label) = (&job.config, job.train, job.valid, job.label.as_str());
    let device = cpu().autodiff();
    let net = init_network(model_config, &device, config.seed);
    let adversary = (config.adversarial_weight > 0.0).then(|| {
        let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
        device.seed(config.seed ^ 0xADD5);
        let adversary = CorpusAdversary::new(model_config.embedding_width(), &device);
        adversary.visit(&mut Materialize);
        adversary
    });
    let mut learner = Learner { net, adversary };
    seed_dropout(config.seed);
    let mut optimizer = AdamConfig::new()
        .with_weight_decay(Some(burn::optim::decay::WeightDecayConfig::new(
            config.weight_decay,
        )))
        .init();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let mut rng = StdRng::seed_from_u64(config.seed);
    let groups = clip_groups(train);

    let bar = progress.add(
        ProgressBar::new(config.epochs as u64).with_style(
            ProgressStyle::with_template("{prefix} epoch {pos}/{len} {bar:30} {msg}")
                .expect("template"),
        ),
    );
    bar.set_prefix(label.to_string());
    let mut best: Option<(f64, Ensemble)> = None;
    let mut history = Vec::new();
    let mut since_best = 0;
    for epoch in 0..config.epochs {
        let progress_share = epoch as f64 / config.epochs as f64;
        let lr = config.learning_rate
            * (0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * progress_share).cos()));
        let picks = epoch_picks(train, &groups, config, &mut rng);
        let (mut loss_sum, mut correct, mut batches) = (0.0f64, 0usize, 0usize);
        for chunk in picks.chunks(config.batch_size) {
            if chunk.len() < 2 {
                continue;
            }
            let (x, y, mask, corpora) = batch(chunk, config, job.normalization, &mut rng, &device);
            let mixed = mix(x.clone(), &y, mask.clone(), config.mixup, &mut rng);
            let (x, mask) = match &mixed {
                Some(m) => (m.inputs.clone(), m.mask.clone()),
                None => (x, mask),
            };
            let embedding = learner.net.embed(x);
            let logits = learner.net.classify(embedding.clone()) + mask.clone();
            let loss = match mixed {
                Some(m) => {
                    loss_fn.forward(logits.clone(), y.clone()) * (1.0 - m.share)
                        + loss_fn.forward(logits.clone(), m.partner) * m.share
                }
                None => loss_fn.forward(logits.clone(), y.clone()),
            };
            let loss = smooth(loss, logits.clone(), mask, config.label_smoothing);
            let predicted = logits.argmax(1).squeeze_dim::<1>(1);
            correct += predicted.equal(y).int().sum().into_scalar::<i64>() as usize;
            loss_sum += f64::from(loss.clone().into_scalar::<f32>());
            batches += 1;
            let loss = match &learner.adversary {
                Some(adversary) => {
                    let reach = strength(config.adversarial_weight, progress_share);
                    loss + loss_fn.forward(adversary.forward(embedding, reach), corpora)
                }
                None => loss,
            };
            let grads = GradientsParams::from_grads(loss.backward(), &learner);
            learner = optimizer.step(lr, learner, grads);
        }
        let eval = Ensemble::new(vec![learner.net.valid()]).expect("one network");
        let (valid_uar, report) =
            validation_scores(&eval, valid).expect("validation windows have the model's shape");
        let record = Epoch {
            epoch: epoch + 1,
            learning_rate: lr,
            train_loss: loss_sum / batches.max(1) as f64,
            train_accuracy: correct as f64 / picks.len().max(1) as f64,
            valid_accuracy: report.accuracy,
            valid_macro_f1: report.macro_f1,
            valid_uar,
        };
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
            lr,
            record.train_loss,
            100.0 * record.train_accuracy,
            100.0 * record.valid_accuracy,
            record.valid_macro_f1,
            record.valid_uar
        ));
        let score = record.valid_uar;
        history.push(record);
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, eval));
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= config.patience {
                progress.suspend(|| {
                    eprintln!(
                        "{label}: early stop, no better validation UAR for {} epochs",
                        config.patience
                    )
                });
                break;
            }
        }
    }
    bar.finish_and_clear();
    progress.remove(&bar);
    let (_, model) = best.expect("at least one epoch");
    let model = model.into_members().pop().expect("one member");
    (model, history)
}

/// A trained network (of its best validation epoch) and its history.
pub type Trained = (EmotionCnn, Vec<Epoch>);

/// One network to train: its configuration, data and label for the progress lines.
pub struct Job<'d, 'a> {
    pub config: TrainConfig,
    /// Training windows, normalised by `normalization` as batches are made (one copy of the
    /// windows serves every run).
    pub train: &'d [Sample<'a>],
    /// Validation windows, already normalised.
    pub valid: &'d [Sample<'a>],
    pub normalization: Option<&'d Normalization>,
    pub label: String,
}

/// Trains every job on up to `threads` threads and returns the networks in the jobs' order.
/// Each network draws only from its own seeded generators, so the result is the same for any
/// number of threads and any order. The jobs start longest first (by [`epoch_cost`]), so the
/// last to start ends about when the others do instead of running alone on one core, as the
/// default run's (a), the largest, used to.
pub fn train_jobs(model_config: &ModelConfig, jobs: &[Job], threads: usize) -> Vec<Trained> {
    let progress = MultiProgress::new();
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(epoch_cost(&jobs[i])));
    let trained = map_in_order(&order, threads, |_, &i| {
        train(model_config, &jobs[i], &progress)
    });
    let mut slots: Vec<Option<Trained>> = jobs.iter().map(|_| None).collect();
    for (i, network) in order.into_iter().zip(trained) {
        slots[i] = Some(network);
    }
    slots.into_iter().flatten().collect()
}

/// A job's work per epoch: its training draws (one per clip, or `epoch_size` when balanced) and
/// a third of its validation windows (a forward pass each, against a forward and a backward).
fn epoch_cost(job: &Job) -> usize {
    let draws = if job.config.balance_corpora {
        job.config.epoch_size
    } else {
        job.train
            .iter()
            .map(|s| s.group)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    draws + job.valid.len() / 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(seed: u64, label: Emotion) -> Matrix {
        let mut rng = StdRng::seed_from_u64(seed);
        let (rows, cols) = (6, 16);
        let data = (0..rows * cols)
            .map(|i| {
                rng.random_range(-1.0f32..1.0) + (i % rows == label.index() % rows) as u8 as f32
            })
            .collect();
        Matrix { rows, cols, data }
    }

    fn config(seed: u64) -> TrainConfig {
        TrainConfig {
            epochs: 2,
            batch_size: 8,
            learning_rate: 1e-2,
            weight_decay: 1e-4,
            patience: 4,
            seed,
            band_shift: 1,
            bands_from: 2,
            balance_corpora: true,
            epoch_size: 100,
            mask_absent_classes: true,
            adversarial_weight: 0.0,
            mixup: 0.0,
            masks: Masks::default(),
            label_smoothing: 0.0,
        }
    }

    #[test]
    fn one_thread_and_two_give_the_same_networks() {
        let inputs: Vec<(Matrix, Emotion, Corpus)> = (0..48)
            .map(|i| {
                let label = Emotion::ALL[i % 5];
                let corpus = if i % 3 == 0 {
                    Corpus::Ased
                } else {
                    Corpus::Ravdess
                };
                (matrix(i as u64, label), label, corpus)
            })
            .collect();
        let samples: Vec<Sample> = inputs
            .iter()
            .enumerate()
            .map(|(i, (m, label, corpus))| Sample {
                input: m,
                label: *label,
                group: i,
                corpus: *corpus,
            })
            .collect();
        let (train_set, valid_set) = samples.split_at(40);
        let model_config = ModelConfig::new(6).with_channels([4, 4, 4]);
        let mut jobs: Vec<Job> = (0..3)
            .map(|k| Job {
                config: TrainConfig {
                    adversarial_weight: if k == 2 { 0.5 } else { 0.0 },
                    mixup: if k == 1 { 0.4 } else { 0.0 },
                    masks: Masks {
                        bands: if k == 1 { 2 } else { 0 },
                        frames: if k == 1 { 3 } else { 0 },
                    },
                    ..config(7 + k)
                },
                train: train_set,
                valid: valid_set,
                normalization: None,
                label: format!("net {k}"),
            })
            .collect();
        let probe: Vec<&Matrix> = inputs.iter().map(|(m, _, _)| m).collect();
        let outputs = |nets: Vec<Trained>| -> Vec<Vec<f32>> {
            nets.into_iter()
                .map(|(net, _)| {
                    let model = Ensemble::new(vec![net]).expect("one");
                    batch_probabilities(&model, &probe, &cpu())
                        .expect("shape")
                        .iter()
                        .flat_map(|p| p.0)
                        .collect()
                })
                .collect()
        };
        let one = outputs(train_jobs(&model_config, &jobs, 1));
        let two = outputs(train_jobs(&model_config, &jobs, 2));
        assert_eq!(one, two);
        assert_ne!(one[0], one[1], "different seeds give different networks");
        let plain = outputs(train_jobs(
            &model_config,
            &[Job {
                config: config(9),
                ..jobs.remove(2)
            }],
            1,
        ));
        assert_ne!(
            plain[0], one[2],
            "the adversary changes the network it trains against"
        );
    }

    #[test]
    fn balanced_epochs_draw_each_corpus_equally() {
        let m = matrix(1, Emotion::Sad);
        let samples: Vec<Sample> = (0..100)
            .map(|i| Sample {
                input: &m,
                label: Emotion::Sad,
                group: i,
                corpus: if i < 90 { Corpus::Tess } else { Corpus::Ased },
            })
            .collect();
        let groups = clip_groups(&samples);
        let mut rng = StdRng::seed_from_u64(3);
        let picks = epoch_picks(&samples, &groups, &config(1), &mut rng);
        let ased = picks.iter().filter(|s| s.corpus == Corpus::Ased).count();
        assert_eq!((picks.len(), ased), (100, 50));
        let unbalanced = TrainConfig {
            balance_corpora: false,
            ..config(1)
        };
        let picks = epoch_picks(&samples, &groups, &unbalanced, &mut rng);
        let ased = picks.iter().filter(|s| s.corpus == Corpus::Ased).count();
        assert_eq!((picks.len(), ased), (100, 10));
    }

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

    #[test]
    fn mean_corpus_uar_weighs_corpora_equally() {
        use Emotion::*;
        let triples = [
            (Corpus::Tess, Sad, Sad),
            (Corpus::Tess, Sad, Sad),
            (Corpus::Tess, Happy, Happy),
            (Corpus::Ased, Sad, Happy),
        ];
        assert_eq!(mean_corpus_uar(triples), 0.5);
    }
}

//! Several networks trained at once, one per thread, longest first.

use std::collections::HashSet;

use indicatif::MultiProgress;
use speech_emotion::model::{Ensemble, ModelConfig};
use speech_emotion::parallel::map_in_order;

use super::fit::train;
use super::{Sample, Standardisation, TrainConfig, Trained};

/// One network to train: its configuration, data and label for the progress lines.
pub struct Job<'d, 'a> {
    pub config: TrainConfig,
    /// Training windows, normalised by `normalization` as batches are made (one copy of the
    /// windows serves every run).
    pub train: &'d [Sample<'a>],
    /// Validation windows, already normalised.
    pub valid: &'d [Sample<'a>],
    pub normalization: Option<Standardisation<'d>>,
    pub label: String,
    /// The teachers whose mean answer the network also learns from (distillation), if any.
    pub teachers: Option<&'d Ensemble>,
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
            .collect::<HashSet<_>>()
            .len()
    };
    draws + job.valid.len() / 3
}

#[cfg(test)]
mod tests {
    use speech_emotion::Emotion;
    use speech_emotion::classifier::{batch_probabilities, cpu};
    use speech_emotion::features::Matrix;
    use speech_emotion::model::Ensemble;

    use super::*;
    use crate::augment::masking::Masks;
    use crate::corpus::Corpus;
    use crate::training::Distil;
    use crate::training::fixtures::{config, matrix};

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
        let mut jobs: Vec<Job> = (0..4)
            .map(|k| Job {
                config: TrainConfig {
                    average_from: (k == 3).then_some(0.0),
                    adversarial_weight: if k == 2 { 0.5 } else { 0.0 },
                    mixup: if k == 1 { 0.4 } else { 0.0 },
                    mix_style: if k == 1 { 0.5 } else { 0.0 },
                    risk_variance: if k == 2 { 1.0 } else { 0.0 },
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
                teachers: None,
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
        let (adversarial, averaged) = (jobs.remove(2), jobs.remove(2));
        let plain = outputs(train_jobs(
            &model_config,
            &[
                Job {
                    config: config(9),
                    ..adversarial
                },
                Job {
                    config: config(10),
                    ..averaged
                },
            ],
            1,
        ));
        assert_ne!(
            plain[0], one[2],
            "the adversary changes the network it trains against"
        );
        assert_ne!(
            plain[1], one[3],
            "averaging the epochs gives another network than the best epoch's"
        );
        // A network taught by teachers as well as by the labels: another network than the
        // labels alone give from the same seed, and the same on one thread or two.
        let teachers = model_config.clone().with_members(2).init_ensemble(&cpu());
        let taught = [true, false].map(|distil| Job {
            config: TrainConfig {
                distil: distil.then_some(Distil {
                    teachers: 2,
                    weight: 0.5,
                }),
                ..config(7)
            },
            train: train_set,
            valid: valid_set,
            normalization: None,
            label: "taught".into(),
            teachers: distil.then_some(&teachers),
        });
        let once = outputs(train_jobs(&model_config, &taught, 1));
        assert_eq!(once, outputs(train_jobs(&model_config, &taught, 2)));
        assert_ne!(once[0], once[1], "the teachers change the network taught");
        assert_eq!(once[1], one[0], "without teachers, the plain network");
    }
}

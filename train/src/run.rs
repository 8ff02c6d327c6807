//! One run of a protocol: split the clips, fit the normalisation on the training windows, train
//! the member networks on every core, and score the averaged model on the validation speakers
//! and on the test clips (read from their files exactly as `predict` reads them).

use std::collections::HashSet;

use serde_json::json;
use speech_emotion::calibration::Calibration;
use speech_emotion::classifier::{batch_probabilities, cpu};
use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::{Ensemble, ModelConfig};
use speech_emotion::{Classifier, Emotion};

use crate::adaptation::SetNormalised;
use crate::balance::Balanced;
use crate::calibration::{PRIOR_CORRECTION, class_prior};
use crate::corpus::{Clip, Corpus};
use crate::dataset::Example;
use crate::evaluation::{evaluate_clips, grouped_reports};
use crate::metrics::Report;
use crate::protocol::{Protocol, Role, summary};
use crate::training::{Job, Sample, TrainConfig, Trained, train_jobs, validation_scores};

mod sets;
mod split;
mod teachers;

use split::Split;

/// What every run of one `train` command shares.
pub struct Setup<'a> {
    pub clips: &'a [Clip],
    pub examples: &'a [Example],
    pub model_config: &'a ModelConfig,
    pub train_config: &'a TrainConfig,
    /// Networks trained at once.
    pub threads: usize,
    /// Rows from which each window's mean is removed (cepstral mean normalisation), if any.
    pub centre_from: Option<usize>,
    /// Whether those rows are also scaled to unit variance per window.
    pub scale: bool,
    /// Whether the ZCR and RMS rows are held at 0 (see [`Normalization::drop_frame_rows`]).
    pub drop_frame_rows: bool,
    /// Standardise each corpus by its own statistics (training corpora by their training
    /// windows', validation and test sets by their own) instead of the training set's.
    pub corpus_normalisation: bool,
    /// The metadata the run's model is written with (its normalisation is the run's).
    pub metadata: &'a ModelMetadata,
    /// (d) only: random sets of each size drawn from the held-out corpus, to measure `predict
    /// --standardise-set` on sets smaller than a corpus (0: not measured).
    pub set_size_draws: usize,
}

/// A trained and scored run.
pub struct Outcome {
    pub model: Ensemble,
    pub metadata: ModelMetadata,
    /// The test report, when the run has test clips.
    pub report: Option<Report>,
    /// Everything measured, for the model's metadata.
    pub entry: serde_json::Map<String, serde_json::Value>,
    /// (d) only: the same networks with each set standardised by its own statistics.
    pub set_normalised: Vec<SetNormalised>,
    /// (d) only: the same networks' answers with each set's answer prior divided out.
    pub balanced: Vec<Balanced>,
}

/// Trains and scores each `(protocol, held)` run (for (d), `held` is the corpus its fold tests
/// on); `None` for a run whose split leaves no training or no validation data. The networks of
/// all the runs are trained side by side on every core; with distillation, every run's teachers
/// first.
pub fn run_many(
    setup: &Setup,
    specs: &[(Protocol, Option<Corpus>)],
) -> Result<Vec<Option<Outcome>>, Box<dyn std::error::Error>> {
    let splits: Vec<Split> = specs
        .iter()
        .map(|&(protocol, held)| Split::new(setup, protocol, held))
        .collect();
    let sets: Vec<(Vec<Sample>, Vec<Sample>)> =
        splits.iter().map(|split| split.samples(setup)).collect();
    for (split, (train_set, valid_set)) in splits.iter().zip(&sets) {
        if trainable(train_set, valid_set) {
            eprintln!(
                "{}: training windows {} (clips {}), validation windows {}",
                run_name(split.protocol, split.held),
                train_set.len(),
                train_set
                    .iter()
                    .map(|s| s.group)
                    .collect::<HashSet<_>>()
                    .len(),
                valid_set.len()
            );
        }
    }
    let teachers = teachers::train(setup, &splits, &sets);
    let taught: Vec<Option<&Ensemble>> = teachers
        .iter()
        .map(|t| t.as_ref().map(|t| &t.model))
        .collect();
    let jobs = split_jobs(
        &splits,
        &sets,
        setup.model_config.members,
        |member| TrainConfig {
            seed: setup.train_config.seed + member as u64,
            ..setup.train_config.clone()
        },
        &taught,
        "network",
    );
    let mut trained = train_jobs(setup.model_config, &jobs, setup.threads).into_iter();
    let mut outcomes = Vec::new();
    for ((split, (train_set, valid_set)), teachers) in splits.iter().zip(&sets).zip(teachers) {
        if !trainable(train_set, valid_set) {
            outcomes.push(None);
            continue;
        }
        let networks: Vec<_> = trained.by_ref().take(setup.model_config.members).collect();
        let mut outcome = finish(setup, split, networks, valid_set)?;
        if let Some(teachers) = teachers {
            let entry = teachers::scored(setup, split, teachers, valid_set, &outcome.metadata)?;
            outcome.entry.insert("teachers".into(), entry);
        }
        outcomes.push(Some(outcome));
    }
    Ok(outcomes)
}

/// Whether a split's training and validation samples both hold windows: a split without
/// either is not trained and has no outcome.
fn trainable(train_set: &[Sample], valid_set: &[Sample]) -> bool {
    !train_set.is_empty() && !valid_set.is_empty()
}

/// `count` jobs for each split that has training and validation windows, in the splits' order,
/// each configured by `configure(k)` for its `k`-th network and taught by the split's
/// `teachers`, if any.
fn split_jobs<'d, 'a>(
    splits: &'d [Split],
    sets: &'d [(Vec<Sample<'a>>, Vec<Sample<'a>>)],
    count: usize,
    configure: impl Fn(usize) -> TrainConfig,
    teachers: &[Option<&'d Ensemble>],
    kind: &str,
) -> Vec<Job<'d, 'a>> {
    let mut jobs = Vec::new();
    for ((split, (train_set, valid_set)), taught) in splits.iter().zip(sets).zip(teachers) {
        if !trainable(train_set, valid_set) {
            continue;
        }
        let name = run_name(split.protocol, split.held);
        for k in 0..count {
            jobs.push(Job {
                config: configure(k),
                train: train_set,
                valid: valid_set,
                normalization: Some(split.standardisation()),
                label: format!("{name} {kind} {}/{count}", k + 1),
                teachers: *taught,
            });
        }
    }
    jobs
}

/// The averaged model of a split's networks, scored on its validation and test clips.
fn finish(
    setup: &Setup,
    split: &Split,
    trained: Vec<Trained>,
    valid_set: &[Sample],
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let (protocol, name) = (split.protocol, run_name(split.protocol, split.held));
    let mut networks = network_entries(&trained, setup.train_config.seed);
    let model = Ensemble::new(trained.into_iter().map(|(net, _)| net).collect())
        .ok_or("no network was trained")?;
    let (valid_uar, valid_report) = validation_scores(&model, valid_set)?;
    eprintln!(
        "{name}: validation mean corpus UAR of the {}-network model {valid_uar:.3} (accuracy {:.1} %)",
        model.len(),
        100.0 * valid_report.accuracy
    );
    let mut metadata = setup.metadata.clone();
    metadata.normalization = split.normalization.clone();
    metadata.model.members = model.len();

    let mut entry = serde_json::Map::new();
    entry.insert("protocol".into(), json!(protocol.describe()));
    entry.insert("valid_uar".into(), json!(valid_uar));
    entry.insert("valid_accuracy".into(), json!(valid_report.accuracy));
    let report = match (&split.clip_roles, protocol) {
        (_, Protocol::Ship) => {
            if let Some(roles) = &split.clip_roles {
                entry.insert("speakers".into(), json!(summary(setup.clips, roles)));
            }
            None
        }
        (None, _) => {
            let test: Vec<(&Example, Emotion)> = setup
                .examples
                .iter()
                .zip(&split.roles)
                .filter(|(_, r)| **r == Role::Test)
                .map(|(e, _)| (e, setup.clips[e.clip].emotion))
                .collect();
            let inputs: Vec<Matrix> = test
                .iter()
                .map(|(e, _)| {
                    let mut m = e.input.clone();
                    metadata.normalization.apply(&mut m);
                    m
                })
                .collect();
            let refs: Vec<&Matrix> = inputs.iter().collect();
            let pairs: Vec<(Emotion, Emotion)> = batch_probabilities(&model, &refs, &cpu())?
                .iter()
                .zip(&test)
                .map(|(p, (_, truth))| (*truth, p.top().0))
                .collect();
            entry.insert(
                "unit".into(),
                json!("window (augmented copies of test clips also sit in training)"),
            );
            Some(Report::new(&pairs))
        }
        (Some(roles), _) => Some(clip_report(setup, roles, &model, &metadata, &mut entry)?),
    };
    if let (Some(roles), Protocol::D) = (&split.clip_roles, protocol)
        && model.len() > 1
    {
        for (network, alone) in networks
            .iter_mut()
            .zip(member_reports(setup, roles, &model, &metadata)?)
        {
            network["test_uar"] = json!(alone.uar);
            network["test_report"] = serde_json::to_value(alone)?;
        }
    }
    entry.insert("networks".into(), json!(networks));
    if let Some(report) = &report {
        eprintln!("{name}\n{}", report.table());
        entry.insert("report".into(), serde_json::to_value(report)?);
    }
    let (set_normalised, balanced) = match (&split.clip_roles, protocol) {
        (Some(roles), Protocol::D) => sets::measure(setup, split, roles, &model, &metadata)?,
        _ => (Vec::new(), Vec::new()),
    };
    if !set_normalised.is_empty() {
        entry.insert("set_normalised".into(), json!(set_normalised));
        entry.insert("balanced".into(), json!(balanced));
    }
    Ok(Outcome {
        model,
        metadata,
        report,
        entry,
        set_normalised,
        balanced,
    })
}

/// The report on a split's test clips, each classified from its file as `predict` does, with
/// the training clips' prior taken out when [`PRIOR_CORRECTION`] says the shipped model does;
/// then the same without it (`report_without_prior`), so that the two compare on one model.
fn clip_report(
    setup: &Setup,
    roles: &[Role],
    model: &Ensemble,
    metadata: &ModelMetadata,
    entry: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<Report, Box<dyn std::error::Error>> {
    let test_clips = clips_in(setup, roles, Role::Test);
    let classifier = Classifier::from_model(model.clone(), shipped_way(setup, roles, metadata))?;
    let outcome = evaluate_clips(&classifier, &test_clips);
    entry.insert(
        "unit".into(),
        json!("clip, classified from its file exactly as `predict` does"),
    );
    entry.insert("prior_taken_out".into(), json!(PRIOR_CORRECTION));
    entry.insert("speakers".into(), json!(summary(setup.clips, roles)));
    let groups = grouped_reports(&outcome);
    eprintln!("{}", groups.0);
    entry.insert("per_corpus".into(), groups.1);
    entry.insert("per_speaker".into(), groups.2);
    if PRIOR_CORRECTION {
        let plain = Classifier::from_model(model.clone(), metadata.clone())?;
        let report = Report::new(&evaluate_clips(&plain, &test_clips).pairs());
        entry.insert("report_without_prior".into(), serde_json::to_value(report)?);
    }
    Ok(Report::new(&outcome.pairs()))
}

/// Each network's seed (from `first_seed` on), best validation UAR and epochs, for the metadata.
fn network_entries(trained: &[Trained], first_seed: u64) -> Vec<serde_json::Value> {
    trained
        .iter()
        .enumerate()
        .map(|(i, (_, history))| {
            let best = history
                .iter()
                .map(|e| e.valid_uar)
                .fold(f64::NEG_INFINITY, f64::max);
            json!({"seed": first_seed + i as u64, "valid_uar": best, "epochs": history})
        })
        .collect()
}

/// Each member network of a (d) fold's model scored alone on the fold's test clips, as
/// [`clip_report`] scores the model, so that what averaging the networks adds on a corpus never
/// heard shows against the networks it averages.
fn member_reports(
    setup: &Setup,
    roles: &[Role],
    model: &Ensemble,
    metadata: &ModelMetadata,
) -> Result<Vec<Report>, Box<dyn std::error::Error>> {
    let mut reports = Vec::new();
    for member in model.clone().into_members() {
        let single = Ensemble::new(vec![member]).ok_or("no network")?;
        reports.push(test_report(setup, roles, single, metadata)?);
    }
    Ok(reports)
}

/// `model`, of any number of networks, scored on a split's test clips as [`clip_report`]
/// scores the run's model.
fn test_report(
    setup: &Setup,
    roles: &[Role],
    model: Ensemble,
    metadata: &ModelMetadata,
) -> Result<Report, Box<dyn std::error::Error>> {
    let metadata = ModelMetadata {
        model: ModelConfig {
            members: model.len(),
            ..metadata.model.clone()
        },
        ..shipped_way(setup, roles, metadata)
    };
    let classifier = Classifier::from_model(model, metadata)?;
    let test_clips = clips_in(setup, roles, Role::Test);
    Ok(Report::new(
        &evaluate_clips(&classifier, &test_clips).pairs(),
    ))
}

/// The clips of a split with the role `role`.
fn clips_in<'c>(setup: &Setup<'c>, roles: &[Role], role: Role) -> Vec<&'c Clip> {
    setup
        .clips
        .iter()
        .zip(roles)
        .filter(|(_, r)| **r == role)
        .map(|(c, _)| c)
        .collect()
}

/// The metadata a split's test clips are classified with, as the shipped model answers: with
/// the training clips' prior taken out when [`PRIOR_CORRECTION`] says so.
fn shipped_way(setup: &Setup, roles: &[Role], metadata: &ModelMetadata) -> ModelMetadata {
    if !PRIOR_CORRECTION {
        return metadata.clone();
    }
    ModelMetadata {
        calibration: Some(Calibration {
            prior: Some(class_prior(clips_in(setup, roles, Role::Train))),
            ..Calibration::identity()
        }),
        ..metadata.clone()
    }
}

/// `c`, `d-nEMO`, ...
pub fn run_name(protocol: Protocol, held: Option<Corpus>) -> String {
    match held {
        Some(corpus) => format!("({}) {}", protocol.key(), corpus.name()),
        None => format!("({})", protocol.key()),
    }
}

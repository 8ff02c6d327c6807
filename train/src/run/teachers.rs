//! Distillation's first step in a run: the teacher networks of every split, trained side by side
//! on every core before the networks that learn from their mean answer, then scored beside them.

use serde_json::json;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;

use super::{Setup, Split, network_entries, split_jobs, test_report, trainable};
use crate::protocol::Protocol;
use crate::training::{Distil, Sample, TrainConfig, train_jobs, validation_scores};

/// One split's teachers: their averaged model and each network's entry for the metadata.
pub(super) struct Teachers {
    pub model: Ensemble,
    networks: Vec<serde_json::Value>,
}

/// The teachers of each split (in the splits' order), or `None` for every split when the run
/// does not distil and for a split with no training or no validation windows.
pub(super) fn train(
    setup: &Setup,
    splits: &[Split],
    sets: &[(Vec<Sample>, Vec<Sample>)],
) -> Vec<Option<Teachers>> {
    let Some(distil) = setup.train_config.distil else {
        return splits.iter().map(|_| None).collect();
    };
    let first_seed = setup.train_config.seed + Distil::SEED_OFFSET;
    let untaught: Vec<Option<&Ensemble>> = splits.iter().map(|_| None).collect();
    let jobs = split_jobs(
        splits,
        sets,
        distil.teachers,
        |k| TrainConfig {
            seed: first_seed + k as u64,
            distil: None,
            ..setup.train_config.clone()
        },
        &untaught,
        "teacher",
    );
    let mut trained = train_jobs(setup.model_config, &jobs, setup.threads).into_iter();
    sets.iter()
        .map(|(train_set, valid_set)| {
            if !trainable(train_set, valid_set) {
                return None;
            }
            let networks: Vec<_> = trained.by_ref().take(distil.teachers).collect();
            let entries = network_entries(&networks, first_seed);
            let model = Ensemble::new(networks.into_iter().map(|(net, _)| net).collect())?;
            Some(Teachers {
                model,
                networks: entries,
            })
        })
        .collect()
}

/// The teachers' averaged model scored on the split's validation windows and, in (d), on its
/// test clips as the run's model is, so that what the taught networks keep of their teachers
/// shows.
pub(super) fn scored(
    setup: &Setup,
    split: &Split,
    teachers: Teachers,
    valid_set: &[Sample],
    metadata: &ModelMetadata,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let (valid_uar, _) = validation_scores(&teachers.model, valid_set)?;
    let mut entry = json!({"valid_uar": valid_uar, "networks": teachers.networks});
    if let (Some(roles), Protocol::D) = (&split.clip_roles, split.protocol) {
        let report = test_report(setup, roles, teachers.model, metadata)?;
        entry["test_uar"] = json!(report.uar);
        entry["test_report"] = serde_json::to_value(report)?;
    }
    Ok(entry)
}

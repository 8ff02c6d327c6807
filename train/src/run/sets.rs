//! (d)'s measures of a held-out corpus as one set: standardised by its own statistics
//! ([`adaptation`]) and its answer prior divided out ([`balance`]), on the same networks.

use std::collections::BTreeMap;

use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;

use super::{Setup, Split};
use crate::adaptation::{self, RawWindow, SetNormalised};
use crate::balance::{self, Balanced};
use crate::protocol::Role;
use crate::set_size::ClipWindows;

/// [`adaptation::measure`] and [`balance::measure`] on a split: its validation windows
/// (originals) and its test clips.
pub(super) fn measure(
    setup: &Setup,
    split: &Split,
    clip_roles: &[Role],
    model: &Ensemble,
    metadata: &ModelMetadata,
) -> Result<(Vec<SetNormalised>, Vec<Balanced>), Box<dyn std::error::Error>> {
    let valid = validation_windows(setup, split);
    let test = test_clips(setup, split, clip_roles);
    let draws = (setup.set_size_draws, setup.train_config.seed);
    let set_normalised = adaptation::measure(model, metadata, &valid, &test, draws)?;
    let balanced = balance::measure(model, metadata, &valid, &test, draws)?;
    Ok((set_normalised, balanced))
}

/// The split's validation windows before normalisation.
fn validation_windows<'s>(setup: &Setup<'s>, split: &Split) -> Vec<RawWindow<'s>> {
    split
        .valid
        .iter()
        .map(|(i, _)| {
            let clip = &setup.clips[setup.examples[*i].clip];
            (clip.corpus, clip.emotion, &setup.examples[*i].input)
        })
        .collect()
}

/// The split's test clips, each with the raw inputs of its windows (originals only).
fn test_clips<'s>(setup: &Setup<'s>, split: &Split, clip_roles: &[Role]) -> Vec<ClipWindows<'s>> {
    let mut windows: BTreeMap<usize, Vec<&Matrix>> = clip_roles
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == Role::Test)
        .map(|(i, _)| (i, Vec::new()))
        .collect();
    for (e, _) in setup
        .examples
        .iter()
        .zip(&split.roles)
        .filter(|(e, r)| **r == Role::Test && e.variant == 0)
    {
        windows.entry(e.clip).or_default().push(&e.input);
    }
    windows
        .into_iter()
        .map(|(i, w)| (&setup.clips[i], w))
        .collect()
}

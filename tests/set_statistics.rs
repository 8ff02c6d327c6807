//! The library's side of standardising a set of recordings by its own statistics (`predict
//! --standardise-set`): the raw inputs are those of the windows the classifier answers, and a
//! normalisation that does not fit the network is an error.

mod common;

use common::data;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::state::shipped;

fn clip_samples() -> Vec<f32> {
    let classifier = shipped().unwrap();
    let path = data().join("ravdess/Actor_03/03-01-05-02-01-01-03.flac");
    let (audio, _) = load_file(&path, classifier.sample_rate(), DecodeOptions::default()).unwrap();
    audio.samples
}

#[test]
fn speech_inputs_are_the_windows_the_classifier_answers() {
    let classifier = shipped().unwrap();
    let samples = clip_samples();
    let prediction = classifier.classify_resampled(&samples).unwrap();
    let answered: Vec<_> = prediction
        .timeline
        .iter()
        .filter_map(|s| s.probabilities)
        .collect();
    let mut inputs = classifier.speech_inputs(&samples).unwrap();
    assert!(!inputs.is_empty());
    assert_eq!(inputs.len(), answered.len());
    for m in &mut inputs {
        classifier.metadata().normalization.apply(m);
    }
    for (mine, theirs) in classifier
        .probabilities(&inputs)
        .unwrap()
        .iter()
        .zip(&answered)
    {
        for (a, b) in mine.0.iter().zip(&theirs.0) {
            assert!((a - b).abs() < 1e-6, "{mine:?} against {theirs:?}");
        }
    }
}

#[test]
fn a_normalisation_that_does_not_fit_the_network_is_an_error() {
    let classifier = shipped().unwrap();
    let mut normalization = classifier.metadata().normalization.clone();
    normalization.mean.pop();
    let error = classifier.with_normalization(normalization).err().unwrap();
    assert!(error.to_string().contains("normalisation has"), "{error}");
}

#[test]
fn a_set_that_shifts_every_input_changes_the_answer() {
    let samples = clip_samples();
    let plain = shipped().unwrap().classify_resampled(&samples).unwrap();
    let classifier = shipped().unwrap();
    let mut shifted = classifier.metadata().normalization.clone();
    for (m, s) in shifted.mean.iter_mut().zip(&shifted.std) {
        *m += 2.0 * s;
    }
    let moved = classifier
        .with_normalization(shifted)
        .unwrap()
        .classify_resampled(&samples)
        .unwrap();
    let largest = plain
        .probabilities
        .0
        .iter()
        .zip(&moved.probabilities.0)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(largest > 0.01, "{plain:?} against {moved:?}");
}

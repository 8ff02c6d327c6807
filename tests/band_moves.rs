//! Test-time band moves (`Classifier::with_band_moves`) on the shipped model and real SAVEE
//! windows: no move is the plain classifier, several moves give the mean of each move's own
//! probabilities, a recording classified with moves answers from those means, and moves that
//! cannot apply are refused with a message.

mod common;

use common::data;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::features::Matrix;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::prediction::Probabilities;
use speech_emotion::state::{MODEL_RECORD, shipped, shipped_metadata};
use speech_emotion::{Classifier, Error};

/// The shipped network without its calibration, whose temperature would bend a mean of
/// probabilities: here the classifier's answers are the network's own.
fn uncalibrated() -> Classifier {
    let metadata = ModelMetadata {
        calibration: None,
        ..shipped_metadata().unwrap()
    };
    Classifier::new(MODEL_RECORD, metadata).unwrap()
}

/// The standardised inputs of the speech windows of one SAVEE clip of each of two emotions.
fn inputs(classifier: &Classifier) -> (Vec<f32>, Vec<Matrix>) {
    let mut all = Vec::new();
    let mut first = Vec::new();
    for name in ["DC_a01.flac", "JK_sa05.flac"] {
        let path = data().join("savee").join(name);
        let samples = load_file(&path, classifier.sample_rate(), DecodeOptions::default())
            .unwrap()
            .0
            .samples;
        for raw in classifier.speech_inputs(&samples).unwrap() {
            let mut m = raw;
            classifier.metadata().normalization.apply(&mut m);
            all.push(m);
        }
        if first.is_empty() {
            first = samples;
        }
    }
    assert!(all.len() >= 2, "{} windows", all.len());
    (first, all)
}

fn close(a: &[Probabilities], b: &[Probabilities]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(p, q)| p.0.iter().zip(&q.0).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f32::max)
}

#[test]
fn no_move_is_the_plain_classifier() {
    let classifier = shipped().unwrap();
    let (_, windows) = inputs(&classifier);
    let plain = classifier.probabilities(&windows).unwrap();
    let unmoved = classifier.with_band_moves(&[0]).unwrap();
    assert_eq!(unmoved.probabilities(&windows).unwrap(), plain);
}

#[test]
fn several_moves_give_the_mean_of_each_moves_probabilities() {
    let classifier = uncalibrated();
    let (_, windows) = inputs(&classifier);
    let plain = classifier.probabilities(&windows).unwrap();
    let each: Vec<Vec<Probabilities>> = [-2, 0, 3]
        .iter()
        .map(|&k| {
            let moved = classifier.with_band_moves(&[k]).unwrap();
            moved.probabilities(&windows).unwrap()
        })
        .collect();
    assert!(close(&each[0], &plain) > 1e-3, "a move changes the answer");
    let together = classifier.with_band_moves(&[-2, 0, 3]).unwrap();
    let got = together.probabilities(&windows).unwrap();
    let expected: Vec<Probabilities> = (0..windows.len())
        .map(|i| Probabilities::mean(each.iter().map(|e| &e[i])))
        .collect();
    assert!(close(&got, &expected) < 1e-6, "{}", close(&got, &expected));
    let calibration = shipped_metadata().unwrap().calibration.unwrap();
    let calibrated = shipped().unwrap().with_band_moves(&[-2, 0, 3]).unwrap();
    let expected: Vec<Probabilities> = got.iter().map(|p| calibration.apply(p)).collect();
    let got = calibrated.probabilities(&windows).unwrap();
    assert!(
        close(&got, &expected) < 1e-6,
        "the mean is calibrated, not each move"
    );
}

#[test]
fn a_recording_classified_with_moves_answers_from_their_means() {
    let classifier = shipped().unwrap();
    let moved = classifier.with_band_moves(&[-1, 0, 1]).unwrap();
    let (samples, _) = inputs(&classifier);
    let prediction = moved.classify_resampled(&samples).unwrap();
    let windows: Vec<Matrix> = classifier
        .speech_inputs(&samples)
        .unwrap()
        .into_iter()
        .map(|mut m| {
            classifier.metadata().normalization.apply(&mut m);
            m
        })
        .collect();
    let expected = moved.probabilities(&windows).unwrap();
    let answered: Vec<Probabilities> = prediction
        .timeline
        .iter()
        .filter_map(|s| s.probabilities)
        .collect();
    assert_eq!(answered, expected);
    assert_ne!(
        answered,
        classifier.probabilities(&windows).unwrap(),
        "the moves reach the recording's answer"
    );
}

#[test]
fn moves_that_cannot_apply_are_refused_with_a_message() {
    let classifier = shipped().unwrap();
    for moves in [&[][..], &[0, 64], &[-64]] {
        match classifier.with_band_moves(moves) {
            Err(Error::Config(message)) => {
                assert!(message.contains("64 log-mel bands"), "{message}")
            }
            Err(other) => panic!("{moves:?}: {other:?}"),
            Ok(_) => panic!("{moves:?} accepted"),
        }
    }
    assert!(classifier.with_band_moves(&[-63, 63]).is_ok());
}

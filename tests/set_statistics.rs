//! The library's side of standardising a set of recordings by its own statistics (`predict
//! --standardise-set` and the page's "one source" box): the raw inputs are those of the windows
//! the classifier answers, a set measured one recording at a time has the statistics of all its
//! windows, a set under the minimum is refused with its count (and the clips its message names
//! reach the minimum), a normalisation that does not fit the network is an error, and with the ZCR
//! and RMS rows dropped a recording's level does not reach the network.

mod common;

use std::path::Path;

use common::{data, savee_clips};
use speech_emotion::Error;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::input::Normalization;
use speech_emotion::set::{MIN_SET_WINDOWS, SetMeasure};
use speech_emotion::state::shipped;

fn samples_of(path: &Path, sample_rate: u32) -> Vec<f32> {
    load_file(path, sample_rate, DecodeOptions::default())
        .unwrap()
        .0
        .samples
}

#[test]
fn a_set_measured_one_recording_at_a_time_has_the_statistics_of_all_its_windows() {
    let classifier = shipped().unwrap();
    let mut set = SetMeasure::new(&classifier);
    let mut windows = Vec::new();
    for path in savee_clips() {
        let samples = samples_of(&path, classifier.sample_rate());
        let inputs = classifier.speech_inputs(&samples).unwrap();
        assert_eq!(set.add(&classifier, &samples).unwrap(), inputs.len());
        windows.extend(inputs);
    }
    assert_eq!((set.recordings(), set.windows()), (60, windows.len()));
    assert!(windows.len() >= MIN_SET_WINDOWS, "{}", windows.len());
    let trained = &classifier.metadata().normalization;
    let expected = Normalization::fit_scaled(&windows, trained.centre_from, trained.scale)
        .dropping_frame_rows(trained.drop_frame_rows);
    let standardised = set.standardise(&classifier).unwrap();
    assert_eq!(standardised.metadata().normalization, expected);
    assert_ne!(
        expected.mean, trained.mean,
        "the set is not the training set"
    );
    assert_eq!(
        classifier.metadata().normalization,
        shipped().unwrap().metadata().normalization,
        "the trained classifier is left as it was"
    );
}

#[test]
fn a_set_under_the_minimum_is_refused_with_its_count_and_the_clips_it_names_reach_it() {
    let classifier = shipped().unwrap();
    let mut set = SetMeasure::new(&classifier);
    let clips = savee_clips();
    let mut windows = 0;
    for path in &clips[..3] {
        windows += set
            .add(&classifier, &samples_of(path, classifier.sample_rate()))
            .unwrap();
    }
    assert!(windows > 0);
    let error = set.standardise(&classifier).err().unwrap();
    assert_eq!(
        error,
        Error::SetTooSmall {
            windows,
            needed: MIN_SET_WINDOWS
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("needs at least 30 speech windows")
            && message.contains("about 12-25 short clips"),
        "{message}"
    );
    for path in &clips[3..] {
        if set.windows() >= MIN_SET_WINDOWS {
            break;
        }
        set.add(&classifier, &samples_of(path, classifier.sample_rate()))
            .unwrap();
    }
    assert!(
        (12..=25).contains(&set.recordings()),
        "{} clips held the {MIN_SET_WINDOWS} windows",
        set.recordings()
    );
    assert!(set.standardise(&classifier).is_ok());
}

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

/// `--drop-frame-rows`: a recording's level no longer reaches the network. With the ZCR and RMS
/// rows held at 0, a SAVEE window and the same window 12 dB quieter give the same input to
/// within rounding; with the rows kept, they do not.
#[test]
fn without_the_zcr_and_rms_rows_a_quieter_recording_gives_the_same_input() {
    let shipped = shipped().unwrap();
    let trained = shipped.metadata().normalization.clone();
    let kept = shipped
        .with_normalization(trained.clone().dropping_frame_rows(false))
        .unwrap();
    let dropped = shipped
        .with_normalization(trained.dropping_frame_rows(true))
        .unwrap();
    let samples = samples_of(&savee_clips()[3], kept.sample_rate());
    let length = (kept.metadata().window.window_s * kept.sample_rate() as f32).round() as usize;
    let window = &samples[samples.len() / 2 - length / 2..][..length];
    let quieter: Vec<f32> = window.iter().map(|x| x * 0.25).collect();
    let largest_change = |classifier: &speech_emotion::classifier::Classifier| {
        let (a, b) = (
            classifier.input(window).unwrap(),
            classifier.input(&quieter).unwrap(),
        );
        let change = |rows: std::ops::Range<usize>| {
            rows.flat_map(|r| a.row(r).iter().zip(b.row(r)).map(|(x, y)| (x - y).abs()))
                .fold(0.0f32, f32::max)
        };
        (change(0..2), change(2..a.rows), a)
    };
    let (frame_rows, rest, input) = largest_change(&dropped);
    assert_eq!(frame_rows, 0.0);
    assert!(input.data[..2 * input.cols].iter().all(|&v| v == 0.0));
    assert!(rest < 1e-3, "the other rows moved by {rest}");
    let (frame_rows, _, _) = largest_change(&kept);
    assert!(
        frame_rows > 0.1,
        "kept, the RMS row follows the level ({frame_rows})"
    );
}

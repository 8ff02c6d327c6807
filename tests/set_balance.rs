//! The library's side of balancing a set's answers over the set (`predict --balance-set` and
//! the page's "balance their answers" box): each recording with speech is answered again from its
//! probabilities over the set's mean, its timeline kept; a recording without speech is left out
//! of the set and unchanged; a set under the minimum is refused with its count and nothing changes.

mod common;

use std::path::PathBuf;

use common::savee_clips;
use speech_emotion::Error;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::prediction::{Prediction, Probabilities};
use speech_emotion::set::{MIN_BALANCE_RECORDINGS, balance, balance_answers};
use speech_emotion::state::shipped;

fn answers(clips: &[PathBuf]) -> Vec<Prediction> {
    let classifier = shipped().unwrap();
    clips
        .iter()
        .map(|path| {
            let (audio, _) =
                load_file(path, classifier.sample_rate(), DecodeOptions::default()).unwrap();
            classifier.classify_resampled(&audio.samples).unwrap()
        })
        .collect()
}

#[test]
fn a_set_is_answered_from_its_balanced_probabilities_and_keeps_its_timelines() {
    let classifier = shipped().unwrap();
    let mut plain = answers(&savee_clips());
    let silence = classifier
        .classify_resampled(&vec![0.0; 3 * classifier.sample_rate() as usize])
        .unwrap();
    assert_eq!(silence.emotion, None);
    plain.insert(7, silence.clone());
    let mut set = plain.clone();
    let mut refs: Vec<&mut Prediction> = set.iter_mut().collect();
    assert_eq!(balance_answers(&classifier, &mut refs).unwrap(), 60);
    assert_eq!(
        set[7], silence,
        "a recording without speech is left as it was"
    );

    let speech: Vec<Probabilities> = plain
        .iter()
        .filter(|p| p.emotion.is_some())
        .map(|p| p.probabilities)
        .collect();
    let expected = balance(&speech);
    let answered: Vec<&Prediction> = set.iter().filter(|p| p.emotion.is_some()).collect();
    let before: Vec<&Prediction> = plain.iter().filter(|p| p.emotion.is_some()).collect();
    let mut changed = 0;
    for ((after, before), expected) in answered.iter().zip(&before).zip(&expected) {
        assert_eq!(after.probabilities, *expected);
        assert_eq!(after.emotion, Some(expected.top().0));
        assert_eq!(after.confidence, expected.top().1);
        assert_eq!(after.uncertain, classifier.unsure(expected));
        assert_eq!(
            (&after.timeline, &after.segments, after.duration),
            (&before.timeline, &before.segments, before.duration),
            "the timeline stays as classified"
        );
        assert!((after.probabilities.0.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        changed += usize::from(after.emotion != before.emotion);
    }
    assert!(changed > 0, "balancing changed no answer");
    // Each class's mean over the set moves towards an even share.
    let uneven = |set: &[Probabilities]| {
        let mean = Probabilities::mean(set);
        mean.0.iter().map(|m| (m - 1.0 / 7.0).abs()).sum::<f32>()
    };
    assert!(uneven(&expected) < uneven(&speech));
}

#[test]
fn a_set_under_the_minimum_is_refused_with_its_count_and_nothing_changes() {
    let classifier = shipped().unwrap();
    let clips = savee_clips();
    let plain = answers(&clips[..MIN_BALANCE_RECORDINGS - 1]);
    let mut set = plain.clone();
    let mut refs: Vec<&mut Prediction> = set.iter_mut().collect();
    let error = balance_answers(&classifier, &mut refs).unwrap_err();
    assert!(
        matches!(
            error,
            Error::SetTooSmallToBalance {
                recordings: 24,
                needed: 25
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("needs at least 25 recordings"));
    assert_eq!(set, plain);
}

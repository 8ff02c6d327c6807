//! Speech detection per region on real speech: a calm RAVDESS sentence followed by a shouted
//! one, 30 dB louder at its peak, keeps both, where one recording-wide threshold loses the calm one.

mod common;

use speech_emotion::audio::{DecodeOptions, decode_file};
use speech_emotion::segment::{WindowConfig, windows};

fn clip(name: &str) -> Vec<f32> {
    let path = common::data().join("ravdess/Actor_01").join(name);
    decode_file(&path, DecodeOptions::default())
        .unwrap()
        .samples
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

/// Calm (normal intensity), a second of silence, then angry (strong intensity) 30 dB louder at its peak.
fn calm_then_shouted() -> (Vec<f32>, f32) {
    let calm = clip("03-01-02-01-01-01-01.flac");
    let angry = clip("03-01-05-02-01-01-01.flac");
    let scale = peak(&angry) / peak(&calm) / 30.0;
    let mut audio: Vec<f32> = calm.iter().map(|x| x * scale).collect();
    let calm_end = audio.len() as f32 / 16_000.0;
    audio.extend(vec![0.0; 16_000]);
    audio.extend(angry);
    (audio, calm_end)
}

#[test]
fn a_calm_sentence_before_a_shouted_one_is_classified() {
    let (audio, calm_end) = calm_then_shouted();
    let speech_before = |config: &WindowConfig| {
        windows(&audio, 16_000, config)
            .iter()
            .filter(|w| w.speech && w.end_s <= calm_end + 0.1)
            .count()
    };
    let regional = WindowConfig::default();
    assert!(speech_before(&regional) >= 1, "the calm sentence is kept");
    let recording_wide = WindowConfig {
        local_s: 1e6,
        range_db: regional.speech_db,
        noise_margin_db: 0.0,
        ..regional.clone()
    };
    assert_eq!(
        speech_before(&recording_wide),
        0,
        "one threshold for the whole recording loses it"
    );
    let classifier = speech_emotion::state::shipped().unwrap();
    let prediction = classifier.classify_resampled(&audio).unwrap();
    assert!(
        prediction
            .timeline
            .iter()
            .any(|s| s.end <= calm_end + 0.1 && s.emotion.is_some()),
        "{:?}",
        prediction.timeline
    );
    assert!(
        prediction
            .timeline
            .iter()
            .any(|s| s.start >= calm_end + 0.9 && s.emotion.is_some())
    );
}

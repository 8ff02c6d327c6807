//! Hostile and odd audio through the whole pipeline with the shipped model: every row of the
//! README's bad-input table that is not a decoding error has its test here.

mod common;

use common::{Encoding, mono, wav};
use speech_emotion::Error;
use speech_emotion::audio::{DecodeOptions, load_bytes};
use speech_emotion::prediction::Prediction;
use speech_emotion::state::shipped;

fn classify_wav(bytes: Vec<u8>) -> speech_emotion::Result<Prediction> {
    let classifier = shipped()?;
    let (audio, _) = load_bytes(bytes, classifier.sample_rate(), DecodeOptions::default())?;
    classifier.classify_resampled(&audio.samples)
}

/// A voiced, syllable-like signal: a 140 Hz buzz with harmonics under a 4 Hz envelope.
fn voice(rate: u32, seconds: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let envelope = (std::f32::consts::PI * 4.0 * t).sin().abs();
            let buzz: f32 = (1..8)
                .map(|h| (std::f32::consts::TAU * 140.0 * h as f32 * t).sin() / h as f32)
                .sum();
            0.2 * envelope * buzz
        })
        .collect()
}

fn assert_valid(p: &Prediction) {
    let sum: f32 = p.probabilities.0.iter().sum();
    assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
    assert!(p.probabilities.0.iter().all(|v| v.is_finite()));
    assert!(p.emotion.is_some());
}

#[test]
fn one_sample_is_no_speech_not_a_guess() {
    let p = classify_wav(wav(&mono(&[0.5]), 16_000, Encoding::I16, false)).unwrap();
    assert_eq!(p.emotion, None);
}

#[test]
fn digital_silence_is_no_speech() {
    let p = classify_wav(wav(&mono(&vec![0.0; 48_000]), 16_000, Encoding::I16, false)).unwrap();
    assert_eq!(p.emotion, None);
    assert_eq!(p.confidence, 0.0);
}

#[test]
fn phone_rate_8k_is_classified() {
    assert_valid(
        &classify_wav(wav(&mono(&voice(8_000, 2.5)), 8_000, Encoding::I16, false)).unwrap(),
    );
}

#[test]
fn studio_rate_192k_with_8_channels_is_classified() {
    let v = voice(192_000, 1.5);
    let frames: Vec<Vec<f32>> = v.iter().map(|&x| vec![x; 8]).collect();
    assert_valid(&classify_wav(wav(&frames, 192_000, Encoding::I24, true)).unwrap());
}

#[test]
fn clipped_audio_is_classified() {
    let clipped: Vec<f32> = voice(16_000, 2.0)
        .iter()
        .map(|x| (x * 20.0).clamp(-1.0, 1.0))
        .collect();
    assert_valid(&classify_wav(wav(&mono(&clipped), 16_000, Encoding::I16, false)).unwrap());
}

#[test]
fn dc_offset_does_not_change_the_answer() {
    let classifier = shipped().unwrap();
    let mut clean = vec![0.0; 8_000];
    clean.extend(voice(16_000, 2.0));
    clean.extend(vec![0.0; 8_000]);
    let shifted: Vec<f32> = clean.iter().map(|x| x + 0.25).collect();
    let a = classifier.classify_resampled(&clean).unwrap();
    let b = classifier.classify_resampled(&shifted).unwrap();
    assert_eq!(a.emotion, b.emotion);
    let worst = a
        .probabilities
        .0
        .iter()
        .zip(&b.probabilities.0)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    assert!(worst < 0.02, "probabilities moved by {worst}");
}

#[test]
fn nan_and_infinite_samples_are_an_error_not_a_nan_probability() {
    let classifier = shipped().unwrap();
    let mut samples = voice(16_000, 2.0);
    samples[100] = f32::NAN;
    samples[200] = f32::INFINITY;
    assert_eq!(
        classifier.classify(samples, 16_000),
        Err(Error::NonFinite(2))
    );
}

#[test]
fn long_audio_gives_a_timeline() {
    let classifier = shipped().unwrap();
    let mut samples = voice(16_000, 5.0);
    samples.extend(vec![0.0; 16_000 * 4]);
    samples.extend(voice(16_000, 5.0));
    let p = classifier.classify_resampled(&samples).unwrap();
    assert!(p.timeline.len() >= 10);
    assert!(p.timeline.iter().any(|s| s.emotion.is_none()));
    assert!((p.duration - 14.0).abs() < 1e-3);
}

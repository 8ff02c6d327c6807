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

#[test]
fn nan_in_a_float_wav_is_an_error() {
    let mut samples = voice(16_000, 2.0);
    samples[100] = f32::NAN;
    let result = classify_wav(wav(&mono(&samples), 16_000, Encoding::F32, false));
    assert_eq!(result, Err(Error::NonFinite(1)));
}

#[test]
fn nan_is_counted_before_resampling_spreads_it() {
    let mut samples = voice(44_100, 2.0);
    samples[1_000] = f32::NAN;
    let result = classify_wav(wav(&mono(&samples), 44_100, Encoding::F32, false));
    assert_eq!(result, Err(Error::NonFinite(1)));
}

#[test]
fn a_riff_header_over_garbage_is_an_error() {
    let mut bytes = wav(&mono(&voice(16_000, 1.0)), 16_000, Encoding::I16, false);
    bytes.truncate(12);
    bytes.extend([0xff; 200]);
    let result = classify_wav(bytes);
    assert!(
        matches!(result, Err(Error::NotAudio(_) | Error::Corrupt(_))),
        "got {result:?}"
    );
}

/// An hour at 8 kHz: a 3 s burst of voice at the start of every minute, room hiss between. It is
/// decoded, resampled and classified window by window, and the pauses are marked silence.
#[test]
fn an_hour_is_classified_with_its_pauses_marked() {
    let rate = 8_000;
    let burst = voice(rate, 3.0);
    let mut samples = Vec::with_capacity(3600 * rate as usize);
    for minute in 0..60 {
        samples.extend(&burst);
        let hiss = 60 * rate as usize - burst.len();
        samples
            .extend((0..hiss).map(|i| 0.0005 * (((i * 7919 + minute) % 101) as f32 / 50.0 - 1.0)));
    }
    let p = classify_wav(wav(&mono(&samples), rate, Encoding::I16, false)).unwrap();
    assert!(
        (p.duration - 3600.0).abs() < 0.01,
        "duration {}",
        p.duration
    );
    assert_valid(&p);
    let speech = p.timeline.iter().filter(|s| s.emotion.is_some()).count();
    let silence = p.timeline.len() - speech;
    // Speech detection spans the first to the last burst: 1 s windows from 0 to about 3543 s.
    assert!(p.timeline.len() > 3500, "{} windows", p.timeline.len());
    assert!(
        (59 * 3..=60 * 5).contains(&speech),
        "{speech} speech windows"
    );
    assert!(silence > 3000, "{silence} silent windows");
    let last = p.timeline.last().unwrap();
    assert!(
        last.end > 3540.0 && last.end <= 3600.0,
        "ends at {}",
        last.end
    );
}

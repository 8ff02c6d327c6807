//! Parity with librosa 0.11, frame by frame, on the golden fixtures written by
//! `scripts/librosa_fixtures.py` (synthetic signals in the repo and real clips of
//! `../shared/data`).
//!
//! Tolerances: ZCR exact; RMS within 1e-5 relative per frame; mel power within 1e-4 of the
//! matrix's maximum; MFCC within 1e-3 of the librosa matrix's range (max - min). F0 is checked
//! for agreement with `librosa.pyin`, not parity (see [`check_pitch`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use speech_emotion::audio::{DecodeOptions, decode_file};
use speech_emotion::features::{FeatureConfig, FeatureExtractor, Matrix};

#[derive(Deserialize)]
struct Fixture {
    name: String,
    source: String,
    config: FeatureConfig,
    zcr: Vec<f64>,
    rms: Vec<f64>,
    mel: Vec<Vec<f64>>,
    mfcc: Vec<Vec<f64>>,
    /// `librosa.pyin` F0 over 1024-sample frames on the same centres, 0 where unvoiced.
    pyin_f0: Vec<f64>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str) -> (Fixture, Vec<f32>) {
    let path = root()
        .join("tests/fixtures/librosa")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixture: Fixture = serde_json::from_str(&text).unwrap();
    let source = if fixture.source.starts_with("tests/") {
        root().join(&fixture.source)
    } else {
        root().join("../shared/data").join(&fixture.source)
    };
    assert!(source.exists(), "missing input {}", source.display());
    let audio = decode_file(&source, DecodeOptions::default()).unwrap();
    assert_eq!(audio.sample_rate, fixture.config.sr, "{}", fixture.name);
    (fixture, audio.samples)
}

fn range(rows: &[Vec<f64>]) -> f64 {
    let all = rows.iter().flatten();
    let max = all.clone().fold(f64::MIN, |a, &b| a.max(b));
    let min = all.fold(f64::MAX, |a, &b| a.min(b));
    max - min
}

/// Largest absolute difference between our matrix and librosa's, checking the shape first.
fn max_diff(ours: &Matrix, theirs: &[Vec<f64>], what: &str) -> f64 {
    assert_eq!(ours.rows, theirs.len(), "{what}: rows");
    assert_eq!(ours.cols, theirs[0].len(), "{what}: frames");
    let mut worst = 0.0f64;
    for (r, row) in theirs.iter().enumerate() {
        for (c, &value) in row.iter().enumerate() {
            worst = worst.max((f64::from(ours.get(r, c)) - value).abs());
        }
    }
    worst
}

fn check(name: &str) {
    let (fixture, samples) = load(name);
    assert_eq!(fixture.config, FeatureConfig::default(), "fixture config");
    let extractor = FeatureExtractor::new(fixture.config.clone()).unwrap();

    let zcr = extractor.zcr(&samples).unwrap();
    assert_eq!(zcr.len(), fixture.zcr.len(), "{name}: ZCR frames");
    for (t, (&ours, &theirs)) in zcr.iter().zip(&fixture.zcr).enumerate() {
        assert_eq!(ours, theirs as f32, "{name}: ZCR frame {t}");
    }

    let rms = extractor.rms(&samples).unwrap();
    assert_eq!(rms.len(), fixture.rms.len(), "{name}: RMS frames");
    for (t, (&ours, &theirs)) in rms.iter().zip(&fixture.rms).enumerate() {
        let diff = (f64::from(ours) - theirs).abs();
        assert!(
            diff <= 1e-5 * theirs + 1e-9,
            "{name}: RMS frame {t}: {ours} vs {theirs}"
        );
    }

    let mel = extractor.mel_power(&samples).unwrap();
    let mel_max = fixture.mel.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
    let mel_diff = max_diff(&mel, &fixture.mel, "mel");
    assert!(
        mel_diff <= 1e-4 * mel_max.max(1e-10),
        "{name}: mel power differs by {mel_diff} (max {mel_max})"
    );

    let mfcc = extractor.mfcc(&samples).unwrap();
    let mfcc_diff = max_diff(&mfcc, &fixture.mfcc, "mfcc");
    let mfcc_range = range(&fixture.mfcc).max(1.0);
    assert!(
        mfcc_diff <= 1e-3 * mfcc_range,
        "{name}: MFCC differs by {mfcc_diff} (range {mfcc_range})"
    );
    check_pitch(&extractor, &fixture, &samples);
    eprintln!(
        "{name}: MFCC max diff {mfcc_diff:.2e} = {:.2e} of range; mel {:.2e} of max",
        mfcc_diff / mfcc_range,
        mel_diff / mel_max.max(1e-10)
    );
}

/// Our YIN against `librosa.pyin` (a different, probabilistic tracker over longer frames, so
/// agreement rather than parity): the frames both call voiced cover most of pyin's voiced
/// frames, and nearly all of them are within a semitone; no silence or noise reads as a voice.
fn check_pitch(extractor: &FeatureExtractor, fixture: &Fixture, samples: &[f32]) {
    let name = &fixture.name;
    let (_, pitch) = extractor.frame_features_and_pitch(samples).unwrap();
    assert_eq!(
        pitch.f0.len(),
        fixture.pyin_f0.len(),
        "{name}: pitch frames"
    );
    let theirs_voiced = fixture.pyin_f0.iter().filter(|&&f| f > 0.0).count();
    let ours_voiced = pitch.f0.iter().filter(|&&f| f > 0.0).count();
    let both: Vec<f64> = pitch
        .f0
        .iter()
        .zip(&fixture.pyin_f0)
        .filter(|&(&ours, &theirs)| ours > 0.0 && theirs > 0.0)
        .map(|(&ours, &theirs)| 1200.0 * (f64::from(ours) / theirs).log2().abs())
        .collect();
    let within = both.iter().filter(|&&cents| cents <= 100.0).count();
    eprintln!(
        "{name}: pyin voiced {theirs_voiced}, ours {ours_voiced}, both {}, within a semitone {within}",
        both.len()
    );
    if theirs_voiced == 0 {
        assert!(
            ours_voiced * 10 <= pitch.f0.len(),
            "{name}: {ours_voiced} frames voiced"
        );
        return;
    }
    assert!(
        both.len() * 10 >= theirs_voiced * 5,
        "{name}: too few frames voiced by both"
    );
    assert!(
        within * 10 >= both.len() * 8,
        "{name}: F0 disagrees with pyin"
    );
}

#[test]
fn sine() {
    check("sine");
}

#[test]
fn chirp() {
    check("chirp");
}

#[test]
fn white_noise() {
    check("white_noise");
}

#[test]
fn digital_silence() {
    check("silence");
}

#[test]
fn single_click() {
    check("click");
}

#[test]
fn clipped_square() {
    check("clipped_square");
}

#[test]
fn ravdess_clip() {
    check("03-01-05-02-01-01-03");
}

#[test]
fn tess_clip() {
    check("OAF_bite_happy");
}

#[test]
fn savee_clip() {
    check("JE_sa07");
}

#[test]
fn fixtures_cover_every_committed_file() {
    let dir = root().join("tests/fixtures/librosa");
    let count = std::fs::read_dir(Path::new(&dir)).unwrap().count();
    assert_eq!(count, 9, "a fixture was added or removed without a test");
}

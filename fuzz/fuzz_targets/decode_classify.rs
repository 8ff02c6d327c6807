//! Arbitrary bytes through the whole pipeline: decode, resample, features, classify. Any error
//! is fine; a panic, a hang, or a probability that is not a number is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use speech_emotion::audio::{DecodeOptions, load_bytes};
use speech_emotion_fuzz::{check, classifier};

fuzz_target!(|bytes: &[u8]| {
    let classifier = classifier();
    // A minute keeps each run short; the length limit itself is covered by the tests.
    let options = DecodeOptions {
        max_duration_s: 60.0,
    };
    let Ok((audio, _)) = load_bytes(bytes.to_vec(), classifier.sample_rate(), options) else {
        return;
    };
    if let Ok(prediction) = classifier.classify_resampled(&audio.samples) {
        check(&prediction);
    }
});

//! Arbitrary sample buffers (any bit pattern: NaN, infinities, denormals, huge values) at a
//! handful of rates through features and classification. Errors are fine; a panic, or a
//! prediction or feature that is not a number, is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use speech_emotion::features::FeatureExtractor;
use speech_emotion_fuzz::{check, classifier};

const RATES: [u32; 6] = [8_000, 16_000, 22_050, 44_100, 48_000, 96_000];

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, body)) = bytes.split_first() else {
        return;
    };
    let samples: Vec<f32> = body
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let classifier = classifier();
    let extractor = FeatureExtractor::new(classifier.metadata().features.clone()).unwrap();
    if let Ok(features) = extractor.extract(&samples) {
        assert!(features.zcr.iter().all(|v| v.is_finite()));
        assert!(features.rms.iter().all(|v| v.is_finite()));
        assert!(
            features.mfcc.data.iter().all(|v| v.is_finite()),
            "MFCC not finite"
        );
    }
    let rate = RATES[usize::from(selector) % RATES.len()];
    if let Ok(prediction) = classifier.classify(samples, rate) {
        check(&prediction);
    }
});

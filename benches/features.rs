//! Decode + features for a 3 s and a 60 s clip (criterion), the features alone, and two floors:
//! realfft's real FFTs of the same frames and nothing else, and the half-length complex FFTs the
//! STFT actually runs. The whole pipeline is timed on one thread and with a long clip's frames
//! shared among every core (`extract_on`, what the `features` command runs). The matching
//! librosa timing comes from `scripts/bench_librosa.py`, which prints the ratios against these
//! figures.

use std::path::PathBuf;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use speech_emotion::audio::{DecodeOptions, decode_bytes};
use speech_emotion::features::{FeatureConfig, FeatureExtractor};

fn clip(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run scripts/bench_librosa.py first: it writes the clips)",
            path.display()
        )
    })
}

fn bench(c: &mut Criterion) {
    // The allocator as the `train` program sets it (src/allocator.rs).
    speech_emotion::allocator::keep_freed_memory();
    let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    for name in ["clip_3s.wav", "clip_60s.wav"] {
        let bytes = clip(name);
        c.bench_function(&format!("decode + zcr/rms/mfcc {name}"), |b| {
            b.iter(|| {
                let audio = decode_bytes(bytes.clone(), DecodeOptions::default()).unwrap();
                extractor.extract(&audio.samples).unwrap()
            })
        });
        c.bench_function(
            &format!("decode + zcr/rms/mfcc on {threads} threads {name}"),
            |b| {
                b.iter(|| {
                    let audio = decode_bytes(bytes.clone(), DecodeOptions::default()).unwrap();
                    extractor.extract_on(&audio.samples, threads).unwrap()
                })
            },
        );
        let samples = decode_bytes(bytes, DecodeOptions::default())
            .unwrap()
            .samples;
        c.bench_function(&format!("zcr/rms/mfcc {name}"), |b| {
            b.iter(|| extractor.extract(black_box(&samples)).unwrap())
        });
        c.bench_function(&format!("fft floor {name}"), |b| {
            b.iter(|| extractor.fft_floor(black_box(&samples)))
        });
        c.bench_function(&format!("half fft floor {name}"), |b| {
            b.iter(|| extractor.half_fft_floor(black_box(&samples)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);

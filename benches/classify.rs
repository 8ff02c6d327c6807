//! `classify()` of a 3 s clip, the call the page's benchmark times in the worker, natively and
//! split into its steps: resampling 48 kHz to 16 kHz, speech detection and windowing, each
//! window's features (STFT, log-mel, YIN), and the network. The page runs the same code compiled
//! to wasm, so the split says where its time goes.

use std::path::PathBuf;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use speech_emotion::audio::resample::{StreamResampler, resample};
use speech_emotion::audio::{DecodeOptions, decode_file};
use speech_emotion::segment::Windowing;
use speech_emotion::state::shipped;

/// The page benchmark's clip: RAVDESS's first original, 48 kHz mono, cut to 3 s.
fn clip() -> (Vec<f32>, u32) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/originals/ravdess/Actor_01/03-01-01-01-01-01-01.wav");
    let audio = decode_file(&path, DecodeOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rate = audio.sample_rate;
    let mut samples = audio.samples;
    samples.truncate(3 * rate as usize);
    (samples, rate)
}

fn bench(c: &mut Criterion) {
    // The allocator as the `train` program sets it (src/allocator.rs).
    speech_emotion::allocator::keep_freed_memory();
    c.bench_function("start-up: load the shipped model", |b| {
        b.iter(|| shipped().unwrap())
    });
    let classifier = shipped().expect("the shipped model loads");
    let (samples, rate) = clip();
    let sr = classifier.sample_rate();
    c.bench_function("classify 3 s at 48 kHz: all", |b| {
        b.iter(|| {
            classifier
                .classify(black_box(samples.clone()), rate)
                .unwrap()
        })
    });
    c.bench_function("classify 3 s: resample to 16 kHz", |b| {
        b.iter(|| resample(black_box(samples.clone()), rate, sr).unwrap())
    });
    c.bench_function("classify 3 s: of which making the resampler", |b| {
        b.iter(|| StreamResampler::new(black_box(rate), sr).unwrap())
    });
    let resampled = resample(samples, rate, sr).unwrap();
    let window = &classifier.metadata().window;
    c.bench_function("classify 3 s: speech detection and windows", |b| {
        b.iter(|| {
            Windowing::new(black_box(&resampled), sr, window)
                .spans()
                .len()
        })
    });
    let plan = Windowing::new(&resampled, sr, window);
    let windows: Vec<Vec<f32>> = plan
        .spans()
        .iter()
        .filter(|s| s.speech)
        .map(|s| plan.samples(s))
        .collect();
    c.bench_function(
        &format!("classify 3 s: features of its {} windows", windows.len()),
        |b| {
            b.iter(|| {
                windows
                    .iter()
                    .map(|w| classifier.input(w).unwrap())
                    .collect::<Vec<_>>()
            })
        },
    );
    let inputs: Vec<_> = windows
        .iter()
        .map(|w| classifier.input(w).unwrap())
        .collect();
    c.bench_function("classify 3 s: network", |b| {
        b.iter(|| classifier.probabilities(black_box(&inputs)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

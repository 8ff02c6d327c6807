//! Every input the fuzz targets (`fuzz/`) found, run through the same steps as the target that
//! found it. The inputs are committed under `fuzz/regressions/<target>/`. A counting allocator
//! checks the worst finding of all: a small file making the decoder allocate gigabytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use speech_emotion::audio::{DecodeOptions, load_bytes};
use speech_emotion::features::FeatureExtractor;
use speech_emotion::prediction::Prediction;
use speech_emotion::state::shipped;

/// The system allocator, remembering the largest single allocation.
struct Counting;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    found.sort();
    assert!(
        !found.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    found
}

/// What the fuzz targets assert of any prediction.
fn check(name: &str, p: &Prediction) {
    let valid = |v: &f32| v.is_finite() && (0.0..=1.0001).contains(v);
    assert!(p.probabilities.0.iter().all(valid), "{name}: {p:?}");
    for s in &p.timeline {
        assert!(s.end >= s.start, "{name}: {s:?}");
        assert!(
            s.probabilities.iter().all(|q| q.0.iter().all(valid)),
            "{name}"
        );
    }
}

#[test]
fn decode_classify_findings_give_errors_without_huge_allocations() {
    let classifier = shipped().unwrap();
    for (name, bytes) in inputs("decode_classify") {
        let size = bytes.len();
        LARGEST.store(0, Ordering::Relaxed);
        let options = DecodeOptions {
            max_duration_s: 60.0,
        };
        let result = load_bytes(bytes, classifier.sample_rate(), options)
            .and_then(|(audio, _)| classifier.classify_resampled(&audio.samples));
        if let Ok(p) = &result {
            check(&name, p);
        }
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!(
            largest < 64 << 20,
            "{name} ({size} bytes) made one allocation of {largest} bytes; result {result:?}"
        );
    }
}

#[test]
fn samples_classify_findings_give_errors_or_finite_answers() {
    let classifier = shipped().unwrap();
    let extractor = FeatureExtractor::new(classifier.metadata().features.clone()).unwrap();
    const RATES: [u32; 6] = [8_000, 16_000, 22_050, 44_100, 48_000, 96_000];
    for (name, bytes) in inputs("samples_classify") {
        let (&selector, body) = bytes.split_first().unwrap();
        let samples: Vec<f32> = body
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Ok(f) = extractor.extract(&samples) {
            assert!(f.mfcc.data.iter().all(|v| v.is_finite()), "{name}: MFCC");
        }
        let rate = RATES[usize::from(selector) % RATES.len()];
        if let Ok(p) = classifier.classify(samples, rate) {
            check(&name, &p);
        }
    }
}

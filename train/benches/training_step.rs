//! One training step (forward, backward and Adam) on a batch of 32 windows of the shipped input
//! (69 rows × 126 frames), for the shipped network (a 2D front of two layers), with a front of
//! one layer, and without the front, so that its share of training time is measured rather than
//! guessed.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::Distribution;
use criterion::{Criterion, criterion_group, criterion_main};
use speech_emotion::classifier::cpu;
use speech_emotion::model::ModelConfig;

const BATCH: usize = 32;
const ROWS: usize = 69;
const FRAMES: usize = 126;

fn step_bench(c: &mut Criterion, name: &str, config: ModelConfig) {
    let device = cpu().autodiff();
    let mut net = config.init(&device);
    let mut optimizer = AdamConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let x = Tensor::<3>::random(
        [BATCH, ROWS, FRAMES],
        Distribution::Normal(0.0, 1.0),
        &device,
    );
    let labels: Vec<i64> = (0..BATCH as i64).map(|i| i % 7).collect();
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [BATCH]), &device);
    c.bench_function(&format!("training step, batch 32: {name}"), |b| {
        b.iter(|| {
            let loss = loss_fn.forward(net.forward(x.clone()), y.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optimizer.step(1e-3, net.clone(), grads);
        })
    });
    let valid = net.valid();
    let x = Tensor::<3>::random(
        [BATCH, ROWS, FRAMES],
        Distribution::Normal(0.0, 1.0),
        &cpu(),
    );
    c.bench_function(&format!("validation forward, batch 32: {name}"), |b| {
        b.iter(|| valid.forward(x.clone()).into_data())
    });
}

fn bench(c: &mut Criterion) {
    // The allocator as the `train` program sets it (src/allocator.rs).
    speech_emotion::allocator::keep_freed_memory();
    let base = ModelConfig::new(ROWS).with_channels([48, 96, 96]);
    let front = base.clone().with_image(Some([4, 5]));
    step_bench(c, "image front of one layer, 4 maps", front.clone());
    step_bench(
        c,
        "image front of two layers (shipped)",
        front.with_image_layers(Some(2)),
    );
    step_bench(c, "without the image front", base);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);

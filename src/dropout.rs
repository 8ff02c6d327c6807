//! Dropout whose masks are reproducible however many threads train. Burn's ndarray backend draws
//! its random numbers from one process-wide generator, so networks trained on several threads
//! would take each other's draws in whatever order the threads run; these masks come from a
//! generator of the training thread's own, seeded per network.

use burn::nn::Dropout;
use burn::prelude::*;
use std::cell::Cell;

thread_local! {
    /// State of this thread's dropout masks (SplitMix64), see [`seed_dropout`].
    static DROPOUT_STATE: Cell<u64> = const { Cell::new(0x9E37_79B9_7F4A_7C15) };
}

/// Seeds the dropout masks drawn on this thread: call it before training a network on it.
pub fn seed_dropout(seed: u64) {
    DROPOUT_STATE.with(|s| s.set(seed ^ 0x5851_F42D_4C95_7F2D));
}

fn next_uniform() -> f32 {
    DROPOUT_STATE.with(|s| {
        let state = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(state);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
    })
}

/// Burn's dropout with the mask drawn from this thread's generator: only on an autodiff
/// device (training), the identity otherwise, kept values scaled by `1 / (1 - p)`.
pub(crate) fn dropout<const D: usize>(layer: &Dropout, x: Tensor<D>) -> Tensor<D> {
    if layer.prob == 0.0 || !x.device().is_autodiff() {
        return x;
    }
    let keep = 1.0 - layer.prob as f32;
    let shape = x.shape();
    let mask: Vec<f32> = (0..shape.num_elements())
        .map(|_| {
            if next_uniform() < keep {
                1.0 / keep
            } else {
                0.0
            }
        })
        .collect();
    let mask = Tensor::<D>::from_data(TensorData::new(mask, shape), &x.device());
    x * mask
}

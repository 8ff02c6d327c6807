//! Model records in half precision: every `f32` weight stored as `f16`, which halves the record
//! the page downloads, optionally on a coarser grid that the page's gzip compresses further
//! ([`to_half_precision`]). Loading ([`crate::Classifier::new`]) casts the weights back to the
//! network's `f32`, so only the stored values are rounded, never the arithmetic.

use burn::tensor::{Bytes, DType, f16};
use burn_pack::{Reader, Tensor, Writer};

use crate::error::{Error, Result};

/// The same record with its `f32` (and `f16`) tensors stored as `f16`; other tensors are kept
/// as they are.
///
/// With `grid_bits`, each weight tensor's values are also rounded, per slice along its first
/// dimension (a convolution's output channel, a linear layer's input), to multiples of a power
/// of two chosen so that the slice's largest value is at most `2^(grid_bits - 1) - 1` steps:
/// every value is then exact in `f16` and a slice takes at most `2^grid_bits - 1` distinct
/// values, so gzip stores about `grid_bits` bits per weight instead of nearly 16. Vectors
/// (biases, batch-norm parameters) keep full `f16`.
pub fn to_half_precision(record: &[u8], grid_bits: Option<u32>) -> Result<Vec<u8>> {
    let bad = |e: burn_pack::Error| Error::Model(format!("record: {e}"));
    let tensors = Reader::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
        .and_then(Reader::into_tensors)
        .map_err(bad)?;
    let halved = tensors
        .into_iter()
        .map(|tensor| {
            let (name, dtype, shape, id, bytes) = tensor.into_parts()?;
            let mut values: Vec<f32> = match dtype {
                DType::F32 => bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                DType::F16 => bytes
                    .chunks_exact(2)
                    .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
                _ => return Ok(Tensor::new(name, dtype, shape, id, bytes)),
            };
            if let Some(bits) = grid_bits
                && shape.len() >= 2
                && shape[0] > 0
            {
                let per_channel = (values.len() / shape[0]).max(1);
                for channel in values.chunks_mut(per_channel) {
                    round_to_grid(channel, bits);
                }
            }
            let half: Vec<u8> = values
                .iter()
                .flat_map(|&v| f16::from_f32(v).to_le_bytes())
                .collect();
            Ok(Tensor::new(
                name,
                DType::F16,
                shape,
                id,
                Bytes::from_bytes_vec(half),
            ))
        })
        .collect::<std::result::Result<Vec<_>, burn_pack::Error>>()
        .map_err(bad)?;
    Ok(Writer::new(halved).into_bytes().map_err(bad)?.to_vec())
}

/// Rounds `values` to the multiples of the smallest power of two that puts their largest
/// magnitude within `2^(bits - 1) - 1` steps.
fn round_to_grid(values: &mut [f32], bits: u32) {
    let largest = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return;
    }
    let levels = ((1u32 << (bits.clamp(2, 12) - 1)) - 1) as f32;
    let step = (largest / levels).log2().ceil().exp2();
    for v in values {
        *v = (*v / step).round() * step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::{Classifier, cpu};
    use crate::features::Matrix;
    use crate::state::{MODEL_RECORD, shipped_metadata};
    use burn::module::Module;
    use burn::store::ModuleRecord;

    #[test]
    fn a_grid_keeps_each_channel_to_its_levels_within_half_a_step() {
        let values: Vec<f32> = (0..300)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * 1.3e-3)
            .collect();
        for bits in [4, 8, 9] {
            let mut grid = values.clone();
            round_to_grid(&mut grid, bits);
            let largest = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let levels = ((1 << (bits - 1)) - 1) as f32;
            let step = (largest / levels).log2().ceil().exp2();
            assert!(step >= largest / levels && step < 2.0 * largest / levels);
            for (v, g) in values.iter().zip(&grid) {
                assert!((v - g).abs() <= step / 2.0, "{v} went to {g}");
                assert_eq!((g / step).fract(), 0.0, "{g} is not on the grid");
                assert!((g / step).abs() <= levels);
                assert_eq!(f16::from_f32(*g).to_f32(), *g, "{g} is not exact in f16");
            }
        }
        let mut silent = vec![0.0f32; 4];
        round_to_grid(&mut silent, 8);
        assert_eq!(silent, [0.0; 4]);
    }

    #[test]
    fn a_gridded_record_takes_few_values_per_channel_and_answers_as_the_full_one() {
        let metadata = shipped_metadata().unwrap();
        let gridded = to_half_precision(MODEL_RECORD, Some(8)).unwrap();
        assert_eq!(to_half_precision(&gridded, Some(8)).unwrap(), gridded);
        let tensors = Reader::from_bytes(Bytes::from_bytes_vec(gridded.clone()))
            .and_then(Reader::into_tensors)
            .unwrap();
        let mut matrices = 0;
        for tensor in tensors.into_iter().filter(|t| t.shape.len() >= 2) {
            matrices += 1;
            let channels = tensor.shape[0];
            let (.., bytes) = tensor.into_parts().unwrap();
            let halves: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            for channel in halves.chunks(halves.len() / channels) {
                let distinct: std::collections::BTreeSet<u16> = channel.iter().copied().collect();
                assert!(distinct.len() <= 255, "{} values", distinct.len());
            }
        }
        assert!(matrices > 5);
        let half = Classifier::new(MODEL_RECORD, metadata.clone()).unwrap();
        let grid = Classifier::new(&gridded, metadata).unwrap();
        let worst = largest_change(&half, &grid);
        assert!(worst > 0.0 && worst < 0.1, "probabilities moved by {worst}");
    }

    /// The largest difference between two classifiers' probabilities on eight windows of
    /// made-up inputs of the shipped model's shape.
    fn largest_change(a: &Classifier, b: &Classifier) -> f32 {
        let metadata = shipped_metadata().unwrap();
        let inputs = made_up_inputs(&metadata);
        let (a, b) = (
            a.probabilities(&inputs).unwrap(),
            b.probabilities(&inputs).unwrap(),
        );
        a.iter()
            .zip(&b)
            .flat_map(|(p, q)| p.0.iter().zip(&q.0).map(|(x, y)| (x - y).abs()))
            .fold(0.0f32, f32::max)
    }

    fn made_up_inputs(metadata: &crate::metadata::ModelMetadata) -> Vec<Matrix> {
        let channels = metadata.model.in_channels;
        (0..8)
            .map(|k| Matrix {
                rows: channels,
                cols: metadata.frames,
                data: (0..channels * metadata.frames)
                    .map(|i| ((i * (7 + k) % 23) as f32 - 11.0) / 6.0)
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn the_half_record_is_half_the_size_and_answers_as_the_full_one() {
        let metadata = shipped_metadata().unwrap();
        // The shipped weights written back in f32, as training writes them before this step.
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(MODEL_RECORD.to_vec()))
            .unwrap()
            .cast_to_module_dtype();
        let full_record = metadata
            .model
            .init_ensemble(&cpu())
            .load_record(record)
            .into_record()
            .into_bytes()
            .unwrap()
            .to_vec();
        let half = to_half_precision(&full_record, None).unwrap();
        assert!(
            half.len() < full_record.len() * 6 / 10,
            "{} bytes against {}",
            half.len(),
            full_record.len()
        );
        assert_eq!(to_half_precision(&half, None).unwrap(), half);
        let stored = Reader::from_bytes(Bytes::from_bytes_vec(half.clone()))
            .and_then(Reader::into_tensors)
            .unwrap();
        assert!(!stored.is_empty() && stored.iter().all(|t| t.dtype == DType::F16));
        let full = Classifier::new(&full_record, metadata.clone()).unwrap();
        let halved = Classifier::new(&half, metadata.clone()).unwrap();
        let worst = largest_change(&full, &halved);
        assert!(worst < 0.02, "probabilities moved by {worst}");
    }
}

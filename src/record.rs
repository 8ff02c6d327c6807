//! Model records in half precision: every `f32` weight stored as `f16`, which halves the record
//! the page downloads. Loading ([`crate::Classifier::new`]) casts the weights back to the
//! network's `f32`, so only the stored values are rounded, never the arithmetic.

use burn::tensor::{Bytes, DType, f16};
use burn_pack::{Reader, Tensor, Writer};

use crate::error::{Error, Result};

/// The same record with its `f32` tensors rounded to `f16`; other tensors are kept as they are.
pub fn to_half_precision(record: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: burn_pack::Error| Error::Model(format!("record: {e}"));
    let tensors = Reader::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
        .and_then(Reader::into_tensors)
        .map_err(bad)?;
    let halved = tensors
        .into_iter()
        .map(|tensor| {
            let (name, dtype, shape, id, bytes) = tensor.into_parts()?;
            if dtype != DType::F32 {
                return Ok(Tensor::new(name, dtype, shape, id, bytes));
            }
            let half: Vec<u8> = bytes
                .chunks_exact(4)
                .flat_map(|b| {
                    let value = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    f16::from_f32(value).to_le_bytes()
                })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::{Classifier, cpu};
    use crate::features::Matrix;
    use crate::state::{MODEL_RECORD, shipped_metadata};
    use burn::module::Module;
    use burn::store::ModuleRecord;

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
        let half = to_half_precision(&full_record).unwrap();
        assert!(
            half.len() < full_record.len() * 6 / 10,
            "{} bytes against {}",
            half.len(),
            full_record.len()
        );
        assert_eq!(to_half_precision(&half).unwrap().len(), half.len());
        let stored = Reader::from_bytes(Bytes::from_bytes_vec(half.clone()))
            .and_then(Reader::into_tensors)
            .unwrap();
        assert!(!stored.is_empty() && stored.iter().all(|t| t.dtype == DType::F16));
        let full = Classifier::new(&full_record, metadata.clone()).unwrap();
        let halved = Classifier::new(&half, metadata.clone()).unwrap();
        let channels = metadata.model.in_channels;
        let inputs: Vec<Matrix> = (0..8)
            .map(|k| Matrix {
                rows: channels,
                cols: metadata.frames,
                data: (0..channels * metadata.frames)
                    .map(|i| ((i * (7 + k) % 23) as f32 - 11.0) / 6.0)
                    .collect(),
            })
            .collect();
        let (a, b) = (
            full.probabilities(&inputs).unwrap(),
            halved.probabilities(&inputs).unwrap(),
        );
        let worst = a
            .iter()
            .zip(&b)
            .flat_map(|(p, q)| p.0.iter().zip(&q.0).map(|(x, y)| (x - y).abs()))
            .fold(0.0f32, f32::max);
        assert!(worst < 0.02, "probabilities moved by {worst}");
    }
}

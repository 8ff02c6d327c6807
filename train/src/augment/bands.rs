//! Augmentation of a model input during training: the log-mel bands moved up or down by a few
//! bands. A voice higher or lower than any training voice moves its harmonics and formants along
//! the mel axis; the network sees such shifts and learns to look past them.

use speech_emotion::features::Matrix;

/// A copy of `input` whose rows from `first` on are moved by `offset` rows (positive: towards
/// higher bands), the edge band repeated where the move leaves a gap. Rows before `first` (ZCR,
/// RMS) are kept.
pub fn shift_bands(input: &Matrix, first: usize, offset: isize) -> Matrix {
    let (rows, cols) = (input.rows, input.cols);
    let mut out = input.clone();
    if first >= rows {
        return out;
    }
    let last = (rows - 1) as isize;
    for r in first..rows {
        let source = (r as isize - offset).clamp(first as isize, last) as usize;
        out.data[r * cols..(r + 1) * cols]
            .copy_from_slice(&input.data[source * cols..(source + 1) * cols]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(m: &Matrix) -> Vec<f32> {
        (0..m.rows).map(|r| m.row(r)[0]).collect()
    }

    #[test]
    fn bands_move_and_the_edge_repeats() {
        let input = Matrix {
            rows: 6,
            cols: 2,
            data: (0..6).flat_map(|r| [r as f32, r as f32]).collect(),
        };
        assert_eq!(
            rows_of(&shift_bands(&input, 2, 1)),
            [0., 1., 2., 2., 3., 4.]
        );
        assert_eq!(
            rows_of(&shift_bands(&input, 2, -2)),
            [0., 1., 4., 5., 5., 5.]
        );
        assert_eq!(shift_bands(&input, 2, 0), input);
        assert_eq!(shift_bands(&input, 9, 3), input);
    }
}

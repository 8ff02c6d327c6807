//! SpecAugment's masks (Park et al. 2019) on a normalised model input during training: a few
//! runs of adjacent log-mel bands and a few runs of frames set to 0, the training mean. A
//! network that cannot count on any one band or moment has to read the emotion from several,
//! which is meant to keep it from leaning on the narrow spectral cues of one corpus's
//! microphones and rooms.

use rand::Rng;
use rand::rngs::StdRng;
use speech_emotion::features::Matrix;

/// How many band runs and how many frame runs each window loses.
pub const MASKS: usize = 2;

/// Largest runs masked in one window; 0 turns that kind of mask off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Masks {
    /// Widest run of adjacent bands (rows from `first` on).
    pub bands: usize,
    /// Longest run of frames (every row).
    pub frames: usize,
}

impl Masks {
    /// Sets [`MASKS`] runs of at most `bands` adjacent rows from `first` on, then [`MASKS`] runs
    /// of at most `frames` columns across every row, to 0. Each run's width is drawn in
    /// `0..=max` and its start uniformly where it fits. Draws nothing from `rng` when off, so
    /// runs without masks keep their random stream.
    pub fn apply(self, input: &mut Matrix, first: usize, rng: &mut StdRng) {
        let (rows, cols) = (input.rows, input.cols);
        if self.bands > 0 && first < rows {
            for _ in 0..MASKS {
                let (start, width) = run(rows - first, self.bands, rng);
                for r in first + start..first + start + width {
                    input.data[r * cols..(r + 1) * cols].fill(0.0);
                }
            }
        }
        if self.frames > 0 {
            for _ in 0..MASKS {
                let (start, width) = run(cols, self.frames, rng);
                for row in input.data.chunks_mut(cols.max(1)) {
                    row[start..start + width].fill(0.0);
                }
            }
        }
    }
}

/// A run of at most `max` (and at most `len`) of `len` positions: its start and width.
fn run(len: usize, max: usize, rng: &mut StdRng) -> (usize, usize) {
    let width = rng.random_range(0..=max.min(len));
    let start = rng.random_range(0..=len - width);
    (start, width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn ones(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            data: vec![1.0; rows * cols],
        }
    }

    fn zero_rows(m: &Matrix) -> Vec<usize> {
        (0..m.rows)
            .filter(|&r| m.row(r).iter().all(|&v| v == 0.0))
            .collect()
    }

    fn zero_cols(m: &Matrix) -> Vec<usize> {
        (0..m.cols)
            .filter(|&c| (0..m.rows).all(|r| m.row(r)[c] == 0.0))
            .collect()
    }

    #[test]
    fn band_masks_zero_whole_rows_after_the_first_only() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut widest = 0;
        for _ in 0..200 {
            let mut m = ones(20, 30);
            Masks {
                bands: 4,
                frames: 0,
            }
            .apply(&mut m, 5, &mut rng);
            let zeroed = zero_rows(&m);
            assert!(zeroed.iter().all(|&r| r >= 5), "{zeroed:?}");
            assert!(zeroed.len() <= 2 * 4);
            let zeros = m.data.iter().filter(|&&v| v == 0.0).count();
            assert_eq!(zeros, zeroed.len() * 30, "only whole rows are masked");
            widest = widest.max(zeroed.len());
        }
        assert!(widest >= 5, "two runs of up to 4 overlap less than always");
    }

    #[test]
    fn frame_masks_zero_whole_columns() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut masked_any = false;
        for _ in 0..200 {
            let mut m = ones(6, 30);
            Masks {
                bands: 0,
                frames: 3,
            }
            .apply(&mut m, 2, &mut rng);
            let zeroed = zero_cols(&m);
            assert!(zeroed.len() <= 2 * 3);
            let zeros = m.data.iter().filter(|&&v| v == 0.0).count();
            assert_eq!(zeros, zeroed.len() * 6, "only whole columns are masked");
            masked_any |= !zeroed.is_empty();
        }
        assert!(masked_any);
    }

    #[test]
    fn off_changes_nothing_and_draws_nothing() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut m = ones(4, 5);
        Masks::default().apply(&mut m, 2, &mut rng);
        assert_eq!(m, ones(4, 5));
        let untouched: u64 = StdRng::seed_from_u64(3).random();
        assert_eq!(rng.random::<u64>(), untouched);
    }

    #[test]
    fn masks_wider_than_the_input_stay_inside_it() {
        let mut rng = StdRng::seed_from_u64(4);
        for _ in 0..50 {
            let mut m = ones(3, 2);
            Masks {
                bands: 10,
                frames: 10,
            }
            .apply(&mut m, 1, &mut rng);
            let masked_cols = zero_cols(&m);
            for c in 0..2 {
                assert_eq!(
                    m.row(0)[c] == 0.0,
                    masked_cols.contains(&c),
                    "row 0 is no band"
                );
            }
        }
    }
}

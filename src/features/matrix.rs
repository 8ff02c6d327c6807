//! A dense row-major matrix in librosa's orientation: one row per coefficient or band, one column
//! per frame.

use serde::{Deserialize, Serialize};

/// `rows × cols` values, row after row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    /// Number of rows (bands or coefficients).
    pub rows: usize,
    /// Number of columns (frames).
    pub cols: usize,
    /// The values, row-major.
    pub data: Vec<f32>,
}

impl Matrix {
    /// A matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row `r` as a slice.
    pub fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// The value at row `r`, column `c`.
    pub fn get(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.cols + c]
    }

    /// Sets the value at row `r`, column `c`.
    pub fn set(&mut self, r: usize, c: usize, value: f32) {
        self.data[r * self.cols + c] = value;
    }

    /// The matrices side by side: their columns one after the other. They must all have the same
    /// number of rows.
    pub fn from_column_parts(parts: &[Matrix]) -> Self {
        let rows = parts.first().map_or(0, |part| part.rows);
        assert!(
            parts.iter().all(|part| part.rows == rows),
            "parts differ in rows"
        );
        let cols = parts.iter().map(|part| part.cols).sum();
        let mut data = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            for part in parts {
                data.extend_from_slice(part.row(r));
            }
        }
        Self { rows, cols, data }
    }

    /// The rows as nested vectors, for JSON output.
    pub fn to_rows(&self) -> Vec<Vec<f32>> {
        (0..self.rows).map(|r| self.row(r).to_vec()).collect()
    }
}

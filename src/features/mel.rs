//! The Slaney mel filterbank with Slaney area normalisation, as `librosa.filters.mel(htk=False,
//! norm="slaney")` builds it, and its product with a power spectrum.

use super::frame::{FRAME_BLOCK, store_block};

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hertz to Slaney mels: linear below 1 kHz, logarithmic above.
pub fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

/// Slaney mels to Hertz, the inverse of [`hz_to_mel`].
pub fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// A sparse mel filterbank: each band keeps only its non-zero weights.
#[derive(Debug, Clone)]
pub struct MelFilterbank {
    bands: Vec<(usize, Vec<f32>)>,
    n_bins: usize,
}

impl MelFilterbank {
    /// Builds `n_mels` triangular filters between `fmin` and `fmax` over the `1 + n_fft / 2` bins.
    pub fn new(sr: u32, n_fft: usize, n_mels: usize, fmin: f32, fmax: f32) -> Self {
        let n_bins = n_fft / 2 + 1;
        let fft_freqs: Vec<f64> = (0..n_bins)
            .map(|k| k as f64 * f64::from(sr) / n_fft as f64)
            .collect();
        let (min_mel, max_mel) = (hz_to_mel(f64::from(fmin)), hz_to_mel(f64::from(fmax)));
        let edges: Vec<f64> = (0..n_mels + 2)
            .map(|i| mel_to_hz(min_mel + (max_mel - min_mel) * i as f64 / (n_mels + 1) as f64))
            .collect();
        let bands = (0..n_mels)
            .map(|m| {
                let (lo, mid, hi) = (edges[m], edges[m + 1], edges[m + 2]);
                let enorm = 2.0 / (hi - lo);
                let weights: Vec<f32> = fft_freqs
                    .iter()
                    .map(|&f| {
                        let lower = -(lo - f) / (mid - lo);
                        let upper = (hi - f) / (hi - mid);
                        // librosa stores the triangle as float32 before scaling it in place.
                        let triangle = 0f64.max(lower.min(upper)) as f32;
                        (f64::from(triangle) * enorm) as f32
                    })
                    .collect();
                let start = weights.iter().position(|&w| w != 0.0).unwrap_or(0);
                let end = weights
                    .iter()
                    .rposition(|&w| w != 0.0)
                    .map_or(start, |e| e + 1);
                (start, weights[start..end].to_vec())
            })
            .collect();
        Self { bands, n_bins }
    }

    /// Number of mel bands.
    pub fn n_mels(&self) -> usize {
        self.bands.len()
    }

    /// Number of FFT bins the filterbank expects.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Writes the mel power of one power-spectrum frame into `out` (one value per band).
    pub fn apply(&self, power: &[f32], out: &mut [f32]) {
        for ((start, weights), slot) in self.bands.iter().zip(out.iter_mut()) {
            let bins = &power[*start..*start + weights.len()];
            *slot = weights.iter().zip(bins).map(|(&w, &p)| w * p).sum();
        }
    }

    /// The mel power of a block of frames at once: `block[k][j]` is bin `k` of the block's
    /// frame `j`, and band `m`'s values for the first `width` frames go to
    /// `out[m * out_stride..][..width]`. Each band's bins are added in the same order as
    /// [`Self::apply`] adds them, so the values are the same bit for bit; the sums run along the
    /// frames, in registers.
    #[inline(always)]
    pub fn apply_block(
        &self,
        block: &[[f32; FRAME_BLOCK]],
        width: usize,
        out: &mut [f32],
        out_stride: usize,
    ) {
        for ((start, weights), row) in self.bands.iter().zip(out.chunks_mut(out_stride)) {
            let mut sums = [0.0f32; FRAME_BLOCK];
            for (&w, bin) in weights.iter().zip(&block[*start..]) {
                for (sum, &p) in sums.iter_mut().zip(bin) {
                    *sum += w * p;
                }
            }
            store_block(&mut row[..width], &sums);
        }
    }

    /// The dense weight of band `m` at bin `k`.
    pub fn weight(&self, m: usize, k: usize) -> f32 {
        let (start, weights) = &self.bands[m];
        k.checked_sub(*start)
            .and_then(|i| weights.get(i))
            .copied()
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_and_is_linear_below_1khz() {
        for hz in [0.0, 200.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(500.0) - 7.5).abs() < 1e-12);
    }

    #[test]
    fn slaney_norm_gives_each_band_unit_area_in_hz() {
        // Area of each triangle in Hz times its height 2 / width is 1.
        let fb = MelFilterbank::new(16_000, 4096, 40, 0.0, 8000.0);
        let bin_hz = 16_000.0 / 4096.0;
        for m in 5..40 {
            let area: f64 = (0..fb.n_bins())
                .map(|k| f64::from(fb.weight(m, k)) * bin_hz)
                .sum();
            assert!((area - 1.0).abs() < 0.02, "band {m}: area {area}");
        }
    }

    #[test]
    fn a_block_of_frames_gives_each_frames_values_bit_for_bit() {
        let mel = MelFilterbank::new(16_000, 512, 64, 0.0, 8000.0);
        let (bins, width) = (mel.n_bins(), 5);
        let frames: Vec<Vec<f32>> = (0..width)
            .map(|j| {
                (0..bins)
                    .map(|k| ((k * 7919 + j * 104_729) % 1009) as f32 / 97.0)
                    .collect()
            })
            .collect();
        let mut block = vec![[f32::NAN; FRAME_BLOCK]; bins];
        for (j, frame) in frames.iter().enumerate() {
            for (k, &p) in frame.iter().enumerate() {
                block[k][j] = p;
            }
        }
        let out_stride = 11;
        let mut out = vec![f32::NAN; mel.n_mels() * out_stride];
        mel.apply_block(&block, width, &mut out, out_stride);
        let mut one = vec![0.0; mel.n_mels()];
        for (j, frame) in frames.iter().enumerate() {
            mel.apply(frame, &mut one);
            for (m, &value) in one.iter().enumerate() {
                assert_eq!(
                    out[m * out_stride + j].to_bits(),
                    value.to_bits(),
                    "band {m}"
                );
            }
        }
    }
}

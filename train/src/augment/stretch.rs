//! Time stretch with the pitch kept, by WSOLA (waveform-similarity overlap-add): Hann-windowed
//! segments are read at the stretched rate and each one is nudged, within a tolerance, to the
//! position whose waveform best continues the previous segment, so periods line up.

const FRAME: usize = 512;
const HOP_OUT: usize = FRAME / 2;
const TOLERANCE: usize = 160;

/// Stretches by `rate` (librosa's convention: 2.0 is twice as fast, half as long).
pub fn time_stretch(samples: &[f32], rate: f32) -> Vec<f32> {
    let n_out = (samples.len() as f64 / f64::from(rate)).round() as usize;
    if samples.len() < FRAME || n_out == 0 {
        return samples.to_vec();
    }
    let window: Vec<f32> = (0..FRAME)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / FRAME as f32).cos())
        .collect();
    let at = |i: isize| -> f32 {
        if i >= 0 && (i as usize) < samples.len() {
            samples[i as usize]
        } else {
            0.0
        }
    };
    let mut out = vec![0.0f32; n_out + FRAME];
    let mut norm = vec![0.0f32; n_out + FRAME];
    let mut previous: isize = 0;
    let mut k = 0usize;
    while k * HOP_OUT < n_out {
        let nominal = (k as f64 * HOP_OUT as f64 * f64::from(rate)).round() as isize;
        let position = if k == 0 {
            0
        } else {
            // The natural continuation of the previous segment is what the next one should
            // resemble; search around the nominal position for it.
            let continuation = previous + HOP_OUT as isize;
            let mut best = (f32::NEG_INFINITY, nominal);
            for delta in -(TOLERANCE as isize)..=TOLERANCE as isize {
                let candidate = nominal + delta;
                let score: f32 = (0..HOP_OUT as isize)
                    .map(|i| at(continuation + i) * at(candidate + i))
                    .sum();
                if score > best.0 {
                    best = (score, candidate);
                }
            }
            best.1
        };
        let start = k * HOP_OUT;
        for i in 0..FRAME {
            out[start + i] += window[i] * at(position + i as isize);
            norm[start + i] += window[i];
        }
        previous = position;
        k += 1;
    }
    out.truncate(n_out);
    for (x, &w) in out.iter_mut().zip(&norm) {
        if w > 1e-3 {
            *x /= w;
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tone(freq: f32, seconds: f32) -> Vec<f32> {
        (0..(16_000.0 * seconds) as usize)
            .map(|i| 0.5 * (std::f32::consts::TAU * freq * i as f32 / 16_000.0).sin())
            .collect()
    }

    /// Frequency from positive-going zero crossings of the middle half.
    pub(crate) fn frequency(x: &[f32]) -> f32 {
        let middle = &x[x.len() / 4..x.len() * 3 / 4];
        let ups: Vec<usize> = middle
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
            .map(|(i, _)| i)
            .collect();
        (ups.len() - 1) as f32 * 16_000.0 / (ups[ups.len() - 1] - ups[0]) as f32
    }

    #[test]
    fn length_changes_and_pitch_stays() {
        let x = tone(220.0, 1.0);
        for rate in [0.8f32, 1.25] {
            let y = time_stretch(&x, rate);
            assert_eq!(y.len(), (16_000.0 / rate).round() as usize);
            let f = frequency(&y);
            assert!((f - 220.0).abs() < 2.0, "rate {rate}: {f} Hz");
        }
    }
}

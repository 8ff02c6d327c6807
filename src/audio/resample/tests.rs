//! Resampling on known tones: frequency, level and length kept, tones above the new Nyquist
//! removed, streaming and decimation bit for bit, a zero rate refused.

use super::*;

fn sine(freq: f32, rate: u32, seconds: f32, amplitude: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .map(|i| amplitude * (std::f32::consts::TAU * freq * i as f32 / rate as f32).sin())
        .collect()
}

/// Frequency estimate from the positive-going zero crossings of the steady middle part.
fn frequency(samples: &[f32], rate: u32) -> f32 {
    let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
    let crossings: Vec<usize> = middle
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, _)| i)
        .collect();
    let periods = (crossings.len() - 1) as f32;
    let span = (crossings[crossings.len() - 1] - crossings[0]) as f32;
    periods * rate as f32 / span
}

fn rms(samples: &[f32]) -> f32 {
    let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
    (middle.iter().map(|x| x * x).sum::<f32>() / middle.len() as f32).sqrt()
}

#[test]
fn resampled_sine_keeps_frequency_level_and_length() {
    for from in [8_000, 22_050, 44_100, 48_000, 96_000] {
        let input = sine(440.0, from, 2.0, 0.5);
        let out = resample(input.clone(), from, 16_000).unwrap();
        let expected_len = (input.len() as f64 * 16_000.0 / from as f64).ceil() as usize;
        assert_eq!(out.len(), expected_len, "length from {from} Hz");
        let f = frequency(&out, 16_000);
        assert!((f - 440.0).abs() < 0.5, "{from} Hz: frequency {f}");
        let level = rms(&out) / rms(&input);
        assert!((level - 1.0).abs() < 0.01, "{from} Hz: level ratio {level}");
    }
}

#[test]
fn output_is_aligned_with_input() {
    // A click at 1 s must stay at 1 s: the filter delay is removed.
    let mut input = vec![0.0f32; 48_000 * 2];
    input[48_000] = 1.0;
    let out = resample(input, 48_000, 16_000).unwrap();
    let peak = out
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .unwrap()
        .0;
    assert!((peak as i64 - 16_000).abs() <= 1, "peak at {peak}");
}

#[test]
fn tone_above_new_nyquist_is_removed() {
    let input = sine(12_000.0, 48_000, 1.0, 0.5);
    let out = resample(input, 48_000, 16_000).unwrap();
    assert!(rms(&out) < 0.5 * 1e-3, "aliasing level {}", rms(&out));
}

#[test]
fn same_rate_is_a_pass_through() {
    let input = sine(300.0, 16_000, 0.5, 0.3);
    let out = resample(input.clone(), 16_000, 16_000).unwrap();
    assert_eq!(out, input);
}

#[test]
fn streaming_in_odd_pieces_matches_one_shot() {
    let input = sine(250.0, 44_100, 1.3, 0.4);
    let whole = resample(input.clone(), 44_100, 16_000).unwrap();
    let mut r = StreamResampler::new(44_100, 16_000).unwrap();
    let mut out = Vec::new();
    for piece in input.chunks(777) {
        r.push(piece, &mut out).unwrap();
    }
    r.finish(&mut out).unwrap();
    assert_eq!(out.len(), whole.len());
    let max_diff = out
        .iter()
        .zip(&whole)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(max_diff < 1e-6, "max diff {max_diff}");
}

#[test]
fn whole_number_decimation_gives_linear_interpolations_samples_bit_for_bit() {
    for from in [32_000, 48_000, 96_000] {
        let input = sine(1234.5, from, 1.7, 0.6);
        let run = |kind| {
            let mut r = StreamResampler::sinc(from, 16_000, kind).unwrap();
            let mut out = Vec::new();
            r.push(&input, &mut out).unwrap();
            r.finish(&mut out).unwrap();
            out
        };
        assert!(matches!(
            interpolation(from, 16_000),
            SincInterpolationType::Nearest
        ));
        assert!(
            run(SincInterpolationType::Nearest) == run(SincInterpolationType::Linear),
            "{from} Hz"
        );
    }
    assert!(matches!(
        interpolation(44_100, 16_000),
        SincInterpolationType::Linear
    ));
}

#[test]
fn a_kept_resampler_gives_a_new_ones_samples_bit_for_bit() {
    // Rates no other test uses, so that no other test takes the spare in between.
    for (from, kind) in [
        (64_000, SincInterpolationType::Nearest),
        (51_200, SincInterpolationType::Linear),
    ] {
        let input = sine(987.6, from, 0.9, 0.5);
        let all = |r: &mut StreamResampler| {
            let mut out = Vec::new();
            r.push(&input, &mut out).unwrap();
            r.finish(&mut out).unwrap();
            out
        };
        let key = (from, 16_000, from == 64_000);
        let nearest = matches!(kind, SincInterpolationType::Nearest);
        let make = || {
            let kind = if nearest {
                SincInterpolationType::Nearest
            } else {
                SincInterpolationType::Linear
            };
            StreamResampler::sinc(from, 16_000, kind).unwrap()
        };
        let mut first = make();
        let once = all(&mut first);
        // Leave it half-way through a stream: the next one must not see that state.
        first.push(&input[..1000], &mut Vec::new()).unwrap();
        drop(first);
        assert!(SPARES.lock().unwrap().iter().any(|(k, _)| *k == key));
        let mut again = make();
        assert!(all(&mut again) == once, "{from} Hz");
    }
}

#[test]
fn whole_number_ratios_are_decimated_with_rubatos_filter() {
    // Speech-like: a few harmonics under a slow envelope, plus a little noise.
    for from in [32_000, 48_000, 96_000] {
        let input: Vec<f32> = (0..(from as usize * 3 / 2 + 7))
            .map(|i| {
                let t = i as f32 / from as f32;
                let envelope = (std::f32::consts::PI * t / 1.5).sin();
                let voice: f32 = (1..6)
                    .map(|h| (std::f32::consts::TAU * 180.0 * h as f32 * t).sin() / h as f32)
                    .sum();
                let noise = ((i as u64 * 2_654_435_761) % 1000) as f32 / 1000.0 - 0.5;
                0.3 * envelope * voice + 0.01 * noise
            })
            .collect();
        let mut decimator = StreamResampler::new(from, 16_000).unwrap();
        assert!(matches!(decimator.engine, Engine::Decimate(_)));
        let mut sinc = StreamResampler::sinc(from, 16_000, interpolation(from, 16_000)).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for piece in input.chunks(5_000) {
            decimator.push(piece, &mut a).unwrap();
            sinc.push(piece, &mut b).unwrap();
        }
        decimator.finish(&mut a).unwrap();
        sinc.finish(&mut b).unwrap();
        assert_eq!(a.len(), b.len(), "{from} Hz");
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-6, "{from} Hz: differs from rubato by {worst}");
        assert!(a != vec![0.0; a.len()]);
    }
    let rubato = StreamResampler::new(44_100, 16_000).unwrap();
    assert!(matches!(rubato.engine, Engine::Sinc(_)));
}

#[test]
fn zero_rate_is_an_error() {
    assert!(matches!(
        resample(vec![0.0; 10], 0, 16_000),
        Err(Error::BadSampleRate(0))
    ));
}

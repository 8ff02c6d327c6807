//! The model input: channel order, the tilt rows, standardisation, dropped frame rows and the fit.

use super::*;
use crate::features::FeatureConfig;

#[test]
fn channels_are_zcr_rms_then_mfcc() {
    let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
    let samples: Vec<f32> = (0..32_000).map(|i| 0.1 * (i as f32 * 0.05).sin()).collect();
    let m = window_features(&extractor, &samples, InputKind::Mfcc).unwrap();
    let f = extractor.extract(&samples).unwrap();
    assert_eq!(m.rows, InputKind::Mfcc.channels(extractor.config()));
    assert_eq!(m.row(0), f.zcr.as_slice());
    assert_eq!(m.row(1), f.rms.as_slice());
    assert_eq!(m.row(5), f.mfcc.row(3));
    let mel = window_features(&extractor, &samples, InputKind::LogMel).unwrap();
    assert_eq!(mel.rows, 2 + 64);
    assert_eq!(mel.row(1), f.rms.as_slice());
    assert_eq!(mel.row(7), extractor.log_mel(&samples).unwrap().row(5));
    let pitched = window_features(&extractor, &samples, InputKind::LogMelPitch).unwrap();
    assert_eq!(pitched.rows, 5 + 64);
    assert_eq!(
        pitched.rows,
        InputKind::LogMelPitch.channels(extractor.config())
    );
    assert_eq!(pitched.row(1), f.rms.as_slice());
    assert_eq!(pitched.row(10), mel.row(7));
    let (_, pitch) = extractor.frame_features_and_pitch(&samples).unwrap();
    assert_eq!(pitched.row(2), pitch.periodicity.as_slice());
}

#[test]
fn tilt_rows_follow_the_spectral_slope_whatever_the_level() {
    let frames = 5;
    let slope = |db_per_band: f32, level: f32| Matrix {
        rows: 8,
        cols: frames,
        data: (0..8)
            .flat_map(|b| vec![level - db_per_band * b as f32; frames])
            .collect(),
    };
    let steep = tilt_rows(&slope(2.0, -20.0));
    let steep_louder = tilt_rows(&slope(2.0, -5.0));
    let flat = tilt_rows(&slope(0.0, -20.0));
    assert_eq!(steep, steep_louder, "the level does not enter");
    assert!(flat.iter().flatten().all(|&v| v == 0.0));
    // Groups of two bands: means 1, 5, 9, 13 dB below the first band, overall 7.
    let expected = [6.0, 2.0, -2.0, -6.0];
    for (row, want) in steep.iter().zip(expected) {
        assert_eq!(row.len(), frames);
        assert!(row.iter().all(|&v| (v - want).abs() < 1e-5), "{row:?}");
    }
    let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
    let samples: Vec<f32> = (0..32_000).map(|i| 0.1 * (i as f32 * 0.05).sin()).collect();
    let m = window_features(&extractor, &samples, InputKind::LogMelPitchTilt).unwrap();
    assert_eq!(
        m.rows,
        InputKind::LogMelPitchTilt.channels(extractor.config())
    );
    let pitched = window_features(&extractor, &samples, InputKind::LogMelPitch).unwrap();
    assert_eq!(m.row(9), pitched.row(5), "the bands follow the tilt rows");
    let low = m.row(5)[0];
    assert!(
        low > 0.0,
        "a 127 Hz tone puts its energy in the lowest group: {low}"
    );
}

#[test]
fn scaled_windows_lose_their_contrast_but_keep_their_shape() {
    let loud = Matrix {
        rows: 3,
        cols: 4,
        data: vec![
            0.1, 0.2, 0.3, 0.4, 1.0, 1.0, 1.0, 1.0, -20.0, 0.0, 20.0, 0.0,
        ],
    };
    let mut soft = loud.clone();
    for v in &mut soft.data[8..] {
        *v /= 4.0;
    }
    let norm = Normalization::fit_scaled([&loud], Some(2), true);
    let (mut a, mut b) = (loud.clone(), soft.clone());
    norm.apply(&mut a);
    norm.apply(&mut b);
    assert_eq!(
        a.row(2),
        b.row(2),
        "a quarter of the contrast, the same input"
    );
    assert_ne!(a.row(0), a.row(2));
    let unscaled = Normalization::fit([&loud], Some(2));
    assert!(!unscaled.scale);
    let old: Normalization =
        serde_json::from_str(r#"{"mean":[0.0],"std":[1.0],"centre_from":2}"#).unwrap();
    assert!(!old.scale, "metadata from before the choice is unscaled");
    assert!(!old.drop_frame_rows, "and keeps its ZCR and RMS rows");
}

#[test]
fn dropped_frame_rows_are_zero_whatever_the_recording_and_the_rest_is_standardised() {
    let window = |zcr: f32, rms: f32| Matrix {
        rows: 3,
        cols: 4,
        data: vec![
            zcr,
            zcr,
            2.0 * zcr,
            zcr,
            rms,
            0.0,
            rms,
            3.0 * rms,
            1.0,
            2.0,
            3.0,
            4.0,
        ],
    };
    let (bright, dull) = (window(0.3, 0.5), window(0.01, 0.05));
    let kept = Normalization::fit([&bright, &dull], None);
    let dropped = kept.clone().dropping_frame_rows(true);
    let (mut a, mut b, mut c) = (bright.clone(), dull.clone(), bright.clone());
    dropped.apply(&mut a);
    dropped.apply(&mut b);
    kept.apply(&mut c);
    assert!(a.data[..8].iter().chain(&b.data[..8]).all(|&v| v == 0.0));
    assert!(c.data[..8].iter().any(|&v| v != 0.0), "kept, they vary");
    assert_eq!(a.row(2), c.row(2), "the other rows as before");
    let mut fit = NormalizationFit::like(&dropped);
    fit.add(&dull);
    assert!(
        fit.finish().drop_frame_rows,
        "a set measured like it drops them too"
    );
}

#[test]
fn normalised_training_data_has_zero_mean_unit_std() {
    let a = Matrix {
        rows: 2,
        cols: 3,
        data: vec![1.0, 2.0, 3.0, 10.0, 10.0, 10.0],
    };
    let norm = Normalization::fit([&a], None);
    let mut b = a.clone();
    norm.apply(&mut b);
    let mean: f32 = b.row(0).iter().sum::<f32>() / 3.0;
    assert!(mean.abs() < 1e-6);
    assert!(
        b.row(1).iter().all(|&v| v == 0.0),
        "constant channel stays finite"
    );
}

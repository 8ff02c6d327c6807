//! Decoding real files as the corpora ship them, every WAV encoding, and every kind of bad input.

mod common;

use common::{Encoding, data, mono, raw_wav, sine, wav, wav_with_data};
use speech_emotion::Error;
use speech_emotion::audio::{DecodeOptions, decode_bytes, decode_file, resample};
use speech_emotion::features::{FeatureConfig, FeatureExtractor};

fn decode(bytes: Vec<u8>) -> speech_emotion::Result<speech_emotion::audio::Audio> {
    decode_bytes(bytes, DecodeOptions::default())
}

#[test]
fn original_releases_decode_and_match_their_16k_flac_copies() {
    let originals = [
        ("ravdess/Actor_01/03-01-01-01-01-01-01", 48_000),
        ("ravdess/Actor_01/03-01-08-01-02-02-01", 48_000),
        ("ravdess/Actor_20/03-01-03-01-02-01-20", 48_000),
        ("tess/OAF_fear/OAF_food_fear", 96_000),
        ("tess/YAF_angry/YAF_germ_angry", 24_414),
        ("tess/YAF_angry/YAF_yes_angry", 24_414),
        ("tess/YAF_fear/YAF_neat_fear", 24_414),
        ("savee/DC_su10", 44_100),
        ("savee/JK_sa05", 44_100),
    ];
    for (stem, rate) in originals {
        let original = decode_file(
            &data().join(format!("originals/{stem}.wav")),
            Default::default(),
        )
        .unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(original.sample_rate, rate, "{stem}");
        let copy = decode_file(&data().join(format!("{stem}.flac")), Default::default()).unwrap();
        assert_eq!(copy.sample_rate, 16_000);
        let resampled = resample(original.samples, rate, 16_000).unwrap();
        let diff = resampled.len().abs_diff(copy.samples.len());
        assert!(
            diff <= 2,
            "{stem}: {} vs {} samples",
            resampled.len(),
            copy.samples.len()
        );
        // Same loudness: the copy is the same recording, whatever resampler made it.
        let energy = |x: &[f32]| x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
        let ratio = energy(&resampled) / energy(&copy.samples);
        assert!(
            (0.95..1.05).contains(&ratio),
            "{stem}: energy ratio {ratio}"
        );
    }
}

#[test]
fn aiff_named_wav_is_recognised_from_its_bytes() {
    let path = data().join("originals/tess/YAF_angry/YAF_germ_angry.wav");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"FORM", "the fixture is AIFF");
    let audio = decode(bytes).unwrap();
    assert!(audio.duration_s() > 1.0);
}

#[test]
fn stereo_is_averaged_to_mono() {
    let frames: Vec<Vec<f32>> = (0..1000)
        .map(|i| vec![0.5, if i % 2 == 0 { 0.25 } else { -0.25 }])
        .collect();
    let audio = decode(wav(&frames, 16_000, Encoding::F32, false)).unwrap();
    assert_eq!(audio.samples.len(), 1000);
    assert!((audio.samples[0] - 0.375).abs() < 1e-7);
    assert!((audio.samples[1] - 0.125).abs() < 1e-7);
}

#[test]
fn every_wav_encoding_decodes_to_the_same_signal() {
    let signal = sine(440.0, 22_050, 0.2, 0.5);
    for (encoding, tolerance) in [
        (Encoding::U8, 1.0 / 100.0),
        (Encoding::I16, 1e-4),
        (Encoding::I24, 1e-6),
        (Encoding::I32, 1e-6),
        (Encoding::F32, 0.0),
        (Encoding::F64, 1e-7),
    ] {
        for extensible in [false, true] {
            let audio = decode(wav(&mono(&signal), 22_050, encoding, extensible))
                .unwrap_or_else(|e| panic!("{encoding:?} extensible={extensible}: {e}"));
            assert_eq!(audio.sample_rate, 22_050);
            assert_eq!(audio.samples.len(), signal.len(), "{encoding:?}");
            let worst = audio
                .samples
                .iter()
                .zip(&signal)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(
                worst <= tolerance,
                "{encoding:?} extensible={extensible}: error {worst}"
            );
        }
    }
}

#[test]
fn eight_channels_at_192k_decode() {
    let frames: Vec<Vec<f32>> = (0..19_200)
        .map(|i| vec![(i % 100) as f32 / 200.0; 8])
        .collect();
    let audio = decode(wav(&frames, 192_000, Encoding::I24, true)).unwrap();
    assert_eq!(audio.sample_rate, 192_000);
    assert_eq!(audio.samples.len(), 19_200);
}

#[test]
fn empty_file_is_an_error() {
    assert_eq!(decode(Vec::new()), Err(Error::Empty));
    let dir = std::env::temp_dir().join("speech-emotion-empty");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("empty.wav");
    std::fs::write(&path, b"").unwrap();
    assert_eq!(decode_file(&path, Default::default()), Err(Error::Empty));
}

#[test]
fn header_without_samples_is_an_error() {
    let bytes = wav(&[], 16_000, Encoding::I16, false);
    assert_eq!(decode(bytes), Err(Error::NoSamples));
}

#[test]
fn non_audio_bytes_are_an_error() {
    let text = b"This is a text file renamed to .wav, not audio at all.\n".repeat(20);
    assert!(matches!(decode(text), Err(Error::NotAudio(_))));
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13].repeat(10);
    assert!(matches!(decode(png), Err(Error::NotAudio(_))));
}

#[test]
fn truncated_file_is_an_error() {
    let full = wav(
        &mono(&sine(300.0, 16_000, 0.5, 0.5)),
        16_000,
        Encoding::I16,
        false,
    );
    let cut = full[..full.len() / 2].to_vec();
    let result = decode(cut);
    assert!(
        matches!(result, Err(Error::Truncated { claimed: 8000, .. })),
        "got {result:?}"
    );
}

#[test]
fn absurd_header_size_is_an_error_not_an_allocation() {
    let data = vec![0u8; 1000];
    // The RIFF size and the data chunk both announce about 4 GB.
    let bytes = wav_with_data(1, 16_000, Encoding::I16, false, &data, u32::MAX - 64);
    assert!(bytes.len() < 1100);
    match decode(bytes) {
        Err(Error::Truncated { claimed, available }) => {
            assert!(
                claimed > 1_000_000_000 && available < 600,
                "{claimed} {available}"
            );
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn unsupported_codec_is_an_error() {
    // WAVE_FORMAT_MPEGLAYER3 (0x0055) inside a WAV: a container we read, a codec we do not.
    let mut fmt = Vec::new();
    fmt.extend(0x0055u16.to_le_bytes());
    fmt.extend(1u16.to_le_bytes());
    fmt.extend(16_000u32.to_le_bytes());
    fmt.extend(2_000u32.to_le_bytes());
    fmt.extend(1u16.to_le_bytes());
    fmt.extend(0u16.to_le_bytes());
    let result = decode(raw_wav(&fmt, &[0u8; 400], 400));
    assert!(
        matches!(result, Err(Error::UnsupportedCodec(_))),
        "got {result:?}"
    );
}

#[test]
fn audio_over_the_cap_is_an_error() {
    let bytes = wav(
        &mono(&sine(300.0, 16_000, 2.0, 0.5)),
        16_000,
        Encoding::I16,
        false,
    );
    let capped = DecodeOptions {
        max_duration_s: 1.0,
    };
    match decode_bytes(bytes.clone(), capped) {
        Err(Error::TooLong { seconds, limit }) => {
            assert!((seconds - 2.0).abs() < 1e-9 && limit == 1.0);
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
    assert!(
        decode_bytes(
            bytes,
            DecodeOptions {
                max_duration_s: 3.0
            }
        )
        .is_ok()
    );
}

#[test]
fn silence_and_clipping_produce_features() {
    let extractor = FeatureExtractor::new(FeatureConfig::default()).unwrap();
    let silence = decode(wav(&mono(&vec![0.0; 16_000]), 16_000, Encoding::I16, false)).unwrap();
    let features = extractor.extract(&silence.samples).unwrap();
    assert!(features.rms.iter().all(|&r| r == 0.0));
    assert!(features.mfcc.data.iter().all(|v| v.is_finite()));
    let clipped: Vec<f32> = sine(200.0, 16_000, 1.0, 3.0)
        .iter()
        .map(|x| x.clamp(-1.0, 1.0))
        .collect();
    let audio = decode(wav(&mono(&clipped), 16_000, Encoding::I16, false)).unwrap();
    let features = extractor.extract(&audio.samples).unwrap();
    assert!(features.rms[10] > 0.8);
    assert!(features.mfcc.data.iter().all(|v| v.is_finite()));
}

#[test]
fn missing_file_is_an_io_error() {
    let result = decode_file(&data().join("no/such/file.wav"), Default::default());
    assert!(matches!(result, Err(Error::Io(_))));
}

/// Ogg is not compiled in (symphonia's Vorbis setup parser asserts on crafted codebooks): a
/// real Ogg Vorbis file gets a clear error saying so.
#[test]
fn ogg_vorbis_is_refused_with_the_reason() {
    let bytes = std::fs::read(common::root().join("tests/fixtures/tone.ogg")).unwrap();
    match decode(bytes) {
        Err(Error::UnsupportedCodec(message)) => assert!(message.contains("Ogg"), "{message}"),
        other => panic!("expected UnsupportedCodec, got {other:?}"),
    }
}

#[test]
fn audio_after_an_unknown_prefix_is_not_audio() {
    let mut bytes = b"garbage!".to_vec();
    bytes.extend(wav(
        &mono(&sine(300.0, 16_000, 0.5, 0.5)),
        16_000,
        Encoding::I16,
        false,
    ));
    assert!(matches!(decode(bytes), Err(Error::NotAudio(_))));
}

//! The plan on hand-built headers: what is patched, skipped and refused.

use super::*;
use std::io::Cursor;

/// A FLAC prefix: STREAMINFO, then a picture block claiming 2 GB, marked last.
pub(super) fn flac_with_picture() -> Vec<u8> {
    let mut bytes = b"fLaC".to_vec();
    bytes.extend([0, 0, 0, 34]);
    let mut info = [0u8; 34];
    // 16 kHz: the sample rate's 20 bits start at the body's eleventh byte.
    info[10..12].copy_from_slice(&[0x03, 0xe8]);
    bytes.extend(info);
    bytes.extend([0x80 | 6, 0, 0, 12]);
    bytes.extend(0u32.to_be_bytes());
    bytes.extend(0x8000_0000u32.to_be_bytes());
    bytes.extend([0u8; 4]);
    bytes
}

/// The 16-byte body of a mono 16-bit PCM `fmt ` chunk.
fn pcm_format(rate: u32) -> Vec<u8> {
    let mut fmt = vec![1, 0, 1, 0];
    fmt.extend(rate.to_le_bytes());
    fmt.extend((rate * 2).to_le_bytes());
    fmt.extend([2, 0, 16, 0]);
    fmt
}

fn wave(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
    for (id, body) in chunks {
        bytes.extend(*id);
        bytes.extend((body.len() as u32).to_le_bytes());
        bytes.extend(body);
    }
    bytes
}

#[test]
fn flac_pictures_become_padding_and_stay_last() {
    let mut bytes = flac_with_picture();
    let found = plan(&mut Cursor::new(&bytes)).unwrap();
    let expected = Patch {
        offset: 42,
        bytes: vec![0x81],
    };
    assert_eq!(found.patches, vec![expected]);
    apply(&mut bytes, &found);
    assert_eq!(bytes[42], 0x81);
    assert_eq!(&bytes[..4], b"fLaC", "nothing else changes");
}

#[test]
fn wave_list_chunks_become_junk_up_to_the_data() {
    let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
    bytes.extend(b"fmt \x10\0\0\0");
    bytes.extend(pcm_format(16_000));
    bytes.extend(b"LIST\x05\0\0\0INFOx\0");
    bytes.extend(b"data\x04\0\0\0LIST");
    let found = plan(&mut Cursor::new(&bytes)).unwrap();
    let expected = Patch {
        offset: 36,
        bytes: b"JUNK".to_vec(),
    };
    assert_eq!(found.patches, vec![expected]);
}

#[test]
fn id3_tags_are_skipped_whole() {
    let mut bytes = b"ID3\x04\0\0\0\0\x01\x00".to_vec();
    bytes.extend([0xaa; 128]);
    bytes.extend(flac_with_picture());
    let found = plan(&mut Cursor::new(&bytes)).unwrap();
    assert_eq!(found.start, 138);
    assert_eq!(found.patches[0].offset, 138 + 42);
    apply(&mut bytes, &found);
    assert_eq!(&bytes[..4], b"fLaC");
    assert_eq!(bytes[42], 0x81);
}

#[test]
fn a_zero_sample_rate_is_refused_before_the_decoder_sees_it() {
    let mut aiff = b"FORM\0\0\0\x2eAIFFCOMM\0\0\0\x12\0\x01\0\0\0\x10\0\x10".to_vec();
    aiff.extend([0u8; 10]);
    assert_eq!(plan(&mut Cursor::new(&aiff)), Err(Error::BadSampleRate(0)));
    // 16 kHz as an 80-bit float: exponent 16383 + 13, mantissa 16000 << 50.
    aiff.truncate(aiff.len() - 10);
    aiff.extend([0x40, 0x0c]);
    aiff.extend((16_000u64 << 50).to_be_bytes());
    assert!(plan(&mut Cursor::new(&aiff)).is_ok());
    // Minus infinity converts to 0 Hz in symphonia.
    let end = aiff.len();
    aiff[end - 10..].copy_from_slice(&[0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(plan(&mut Cursor::new(&aiff)), Err(Error::BadSampleRate(0)));
    let zero = wave(&[(b"fmt ", pcm_format(0)), (b"data", vec![0; 4])]);
    assert_eq!(plan(&mut Cursor::new(&zero)), Err(Error::BadSampleRate(0)));
    // symphonia reads every format chunk before the audio, so a second one counts too.
    let second = wave(&[
        (b"fmt ", pcm_format(16_000)),
        (b"fmt ", pcm_format(0)),
        (b"data", vec![0; 4]),
    ]);
    assert_eq!(
        plan(&mut Cursor::new(&second)),
        Err(Error::BadSampleRate(0))
    );
    let mut flac = flac_with_picture();
    flac[18..20].fill(0);
    assert_eq!(plan(&mut Cursor::new(&flac)), Err(Error::BadSampleRate(0)));
}

#[test]
fn format_chunks_symphonia_would_misread_are_refused() {
    let mut extensible = pcm_format(16_000);
    extensible[0..2].copy_from_slice(&0xfffeu16.to_le_bytes());
    extensible.extend([22, 0]);
    extensible.extend([0u8; 22]);
    let good = wave(&[(b"fmt ", extensible.clone()), (b"data", vec![0; 4])]);
    assert!(plan(&mut Cursor::new(&good)).is_ok());
    let mut longer = extensible.clone();
    longer.extend([0, 0]);
    let longer = wave(&[(b"fmt ", longer), (b"data", vec![0; 4])]);
    assert!(matches!(
        plan(&mut Cursor::new(&longer)),
        Err(Error::Corrupt(_))
    ));
    let mut no_bits = extensible;
    no_bits[14..16].fill(0);
    let no_bits = wave(&[(b"fmt ", no_bits), (b"data", vec![0; 4])]);
    assert!(matches!(
        plan(&mut Cursor::new(&no_bits)),
        Err(Error::Corrupt(_))
    ));
    let mut adpcm = pcm_format(16_000);
    adpcm[0] = 2;
    let adpcm = wave(&[(b"fmt ", adpcm), (b"data", vec![0; 4])]);
    assert!(matches!(
        plan(&mut Cursor::new(&adpcm)),
        Err(Error::UnsupportedCodec(_))
    ));
}

#[test]
fn a_walk_that_never_reaches_the_audio_is_refused() {
    let mut chunks = vec![(b"JUNK", Vec::new()); MAX_BLOCKS + 1];
    chunks.push((b"LIST", b"INFO".to_vec()));
    let bytes = wave(&chunks);
    assert!(matches!(
        plan(&mut Cursor::new(&bytes)),
        Err(Error::Corrupt(_))
    ));
    let mut flac = b"fLaC".to_vec();
    for _ in 0..=MAX_BLOCKS {
        flac.extend([FLAC_PADDING, 0, 0, 0]);
    }
    assert!(matches!(
        plan(&mut Cursor::new(&flac)),
        Err(Error::Corrupt(_))
    ));
}

#[test]
fn files_that_start_with_no_container_are_not_audio() {
    for bytes in [
        &b"hello, this is text"[..],
        b"",
        b"\0\0\0\0RIFF\0\0\0\0WAVE",
    ] {
        assert!(matches!(
            plan(&mut Cursor::new(bytes)),
            Err(Error::NotAudio(_))
        ));
    }
    assert!(matches!(
        plan(&mut Cursor::new(b"OggS\0\x02")),
        Err(Error::UnsupportedCodec(_))
    ));
    let aiff = plan(&mut Cursor::new(b"FORM\0\0\0\x04AIFF")).unwrap();
    assert_eq!(aiff, Plan::default());
}

//! Helpers shared by the integration tests: WAV files built byte by byte, so that every format
//! variant and every kind of damage is a real file.

#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpora beside the project.
pub fn data() -> PathBuf {
    root().join("../shared/data")
}

/// Every eighth SAVEE clip by name: 60 clips of four men and seven emotions, one source.
pub fn savee_clips() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data().join("savee"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "flac"))
        .collect();
    files.sort();
    files.into_iter().step_by(8).collect()
}

/// Sample encodings a WAV file can carry.
#[derive(Clone, Copy, Debug)]
pub enum Encoding {
    U8,
    I16,
    I24,
    I32,
    F32,
    F64,
}

impl Encoding {
    fn bits(self) -> u16 {
        match self {
            Encoding::U8 => 8,
            Encoding::I16 => 16,
            Encoding::I24 => 24,
            Encoding::I32 | Encoding::F32 => 32,
            Encoding::F64 => 64,
        }
    }

    fn is_float(self) -> bool {
        matches!(self, Encoding::F32 | Encoding::F64)
    }

    fn encode(self, x: f32, out: &mut Vec<u8>) {
        let x = x.clamp(-1.0, 1.0);
        match self {
            Encoding::U8 => out.push(((x * 127.0).round() as i16 + 128) as u8),
            Encoding::I16 => out.extend(((x * 32767.0).round() as i16).to_le_bytes()),
            Encoding::I24 => out.extend(&((x * 8_388_607.0).round() as i32).to_le_bytes()[..3]),
            Encoding::I32 => {
                out.extend(((f64::from(x) * 2_147_483_647.0).round() as i32).to_le_bytes())
            }
            Encoding::F32 => out.extend(x.to_le_bytes()),
            Encoding::F64 => out.extend(f64::from(x).to_le_bytes()),
        }
    }
}

/// A WAV file of interleaved `frames` (one inner vector per frame).
pub fn wav(frames: &[Vec<f32>], rate: u32, encoding: Encoding, extensible: bool) -> Vec<u8> {
    let channels = frames.first().map_or(1, |f| f.len()) as u16;
    let mut data = Vec::new();
    for frame in frames {
        for &x in frame {
            encoding.encode(x, &mut data);
        }
    }
    wav_with_data(
        channels,
        rate,
        encoding,
        extensible,
        &data,
        data.len() as u32,
    )
}

/// A WAV file whose data chunk header announces `claimed` bytes, whatever `data` holds.
pub fn wav_with_data(
    channels: u16,
    rate: u32,
    encoding: Encoding,
    extensible: bool,
    data: &[u8],
    claimed: u32,
) -> Vec<u8> {
    let bits = encoding.bits();
    let block_align = channels * bits / 8;
    let tag: u16 = if extensible {
        0xFFFE
    } else if encoding.is_float() {
        3
    } else {
        1
    };
    let mut fmt = Vec::new();
    fmt.extend(tag.to_le_bytes());
    fmt.extend(channels.to_le_bytes());
    fmt.extend(rate.to_le_bytes());
    fmt.extend((rate * u32::from(block_align)).to_le_bytes());
    fmt.extend(block_align.to_le_bytes());
    fmt.extend(bits.to_le_bytes());
    if extensible {
        fmt.extend(22u16.to_le_bytes());
        fmt.extend(bits.to_le_bytes());
        let mask: u32 = if channels == 1 {
            0x4
        } else {
            (1 << channels) - 1
        };
        fmt.extend(mask.to_le_bytes());
        let sub: u16 = if encoding.is_float() { 3 } else { 1 };
        fmt.extend(sub.to_le_bytes());
        fmt.extend([
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
        ]);
    }
    raw_wav(&fmt, data, claimed)
}

/// A RIFF/WAVE file from a raw `fmt ` chunk body and data bytes.
pub fn raw_wav(fmt: &[u8], data: &[u8], claimed: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(b"RIFF");
    let riff_len = (4 + 8 + fmt.len() as u32 + 8).saturating_add(claimed.max(data.len() as u32));
    out.extend(riff_len.to_le_bytes());
    out.extend(b"WAVE");
    out.extend(b"fmt ");
    out.extend((fmt.len() as u32).to_le_bytes());
    out.extend(fmt);
    out.extend(b"data");
    out.extend(claimed.to_le_bytes());
    out.extend(data);
    out
}

/// A mono sine, `seconds` long.
pub fn sine(freq: f32, rate: u32, seconds: f32, amplitude: f32) -> Vec<f32> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .map(|i| amplitude * (std::f32::consts::TAU * freq * i as f32 / rate as f32).sin())
        .collect()
}

/// Mono samples as single-channel frames.
pub fn mono(samples: &[f32]) -> Vec<Vec<f32>> {
    samples.iter().map(|&x| vec![x]).collect()
}

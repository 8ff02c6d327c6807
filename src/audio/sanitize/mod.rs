//! The gate between a file's bytes and the decoder. symphonia 0.5 parses metadata by
//! allocating whatever its length fields claim, before it finds out that the file is far
//! shorter: a 1 kB file could make it allocate gigabytes (natively harmless thanks to
//! overcommit, fatal in WebAssembly). Its probe also searches the first megabyte for a format
//! marker, so such metadata could hide anywhere. Found by `fuzz/decode_classify`.
//!
//! So before decoding: the file must start with a container we read (after any ID3v2 tags,
//! which are skipped, never parsed), and the metadata the decoder would parse is patched out of
//! the bytes it sees, reading only headers: FLAC application, comment, cue sheet and picture
//! blocks become padding; WAV `LIST` chunks become `JUNK`. The audio itself is never touched.
//!
//! Ogg is refused outright: symphonia 0.5's Vorbis setup parser asserts on crafted codebooks (a
//! panic the fuzzer found, which would kill the page's worker), so it is not compiled in.

mod patched;

use std::io::{Read, Seek, SeekFrom};

use extended::Extended;

pub use patched::Patched;

use crate::error::{Error, Result};

/// FLAC metadata block types symphonia parses by allocation: application, Vorbis comment, cue
/// sheet, picture.
const FLAC_PARSED: [u8; 4] = [2, 4, 5, 6];
/// FLAC's stream information block type.
const FLAC_STREAMINFO: u8 = 0;
/// FLAC's padding block type.
const FLAC_PADDING: u8 = 1;
/// Headers walked at most: a real file has a handful.
const MAX_BLOCKS: usize = 1024;

/// One overwrite of the bytes the decoder reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// Byte offset in the file.
    pub offset: u64,
    /// Bytes that replace the file's from `offset` on.
    pub bytes: Vec<u8>,
}

/// Where the decoder should start reading and what it should not see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Offset of the container, after any ID3v2 tags.
    pub start: u64,
    /// Overwrites hiding the parsed metadata (absolute file offsets).
    pub patches: Vec<Patch>,
}

/// The container a file starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Wave,
    Aiff,
    Flac,
    Ogg,
    Mpeg,
}

fn container(magic: &[u8]) -> Option<Container> {
    match magic {
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'A',
            b'V',
            b'E',
            ..,
        ] => Some(Container::Wave),
        [
            b'F',
            b'O',
            b'R',
            b'M',
            _,
            _,
            _,
            _,
            b'A',
            b'I',
            b'F',
            b'F' | b'C',
            ..,
        ] => Some(Container::Aiff),
        [b'f', b'L', b'a', b'C', ..] => Some(Container::Flac),
        [b'O', b'g', b'g', b'S', ..] => Some(Container::Ogg),
        // Exactly the MPEG layer III frame syncs symphonia's probe registers: any other start
        // would send it searching onwards for a marker (and to whatever lies behind it).
        [0xff, 0xfa | 0xfb | 0xf2 | 0xf3 | 0xe2 | 0xe3, ..] => Some(Container::Mpeg),
        _ => None,
    }
}

/// Finds the container and the patches that hide its parsed metadata, reading only headers.
/// A file that does not start with a container we read is not audio to us.
pub fn plan<R: Read + Seek>(source: &mut R) -> Result<Plan> {
    let mut start = 0u64;
    let mut magic = [0u8; 12];
    // ID3v2 tags (MP3s, sometimes FLACs) are skipped whole: 10-byte header, syncsafe size.
    let found = loop {
        let n = read_at(source, start, &mut magic);
        if n >= 10 && &magic[..3] == b"ID3" {
            let size = magic[6..10]
                .iter()
                .fold(0u64, |size, &b| (size << 7) | u64::from(b & 0x7f));
            let footer = if magic[5] & 0x10 != 0 { 10 } else { 0 };
            start += 10 + size + footer;
            continue;
        }
        break container(&magic[..n]);
    };
    let Some(found) = found else {
        let _ = source.seek(SeekFrom::Start(0));
        return Err(Error::NotAudio(
            "its first bytes are no audio header".into(),
        ));
    };
    let patches = match found {
        Container::Flac => flac_patches(source, start),
        Container::Wave => wave_patches(source, start),
        Container::Aiff => aiff_check(source, start, magic[8..12] == *b"AIFC").map(|()| Vec::new()),
        Container::Mpeg => Ok(Vec::new()),
        Container::Ogg => {
            let _ = source.seek(SeekFrom::Start(0));
            return Err(Error::UnsupportedCodec(
                "Ogg files are not read (symphonia's Vorbis parser can crash on damaged ones); \
                 convert to WAV, FLAC or MP3"
                    .into(),
            ));
        }
    };
    // Leave the source where the decoder expects it; a failed seek shows up when it reads.
    let _ = source.seek(SeekFrom::Start(0));
    Ok(Plan {
        start,
        patches: patches?,
    })
}

/// The error when a walk meets more headers than any real file has.
fn too_many() -> Error {
    Error::Corrupt(format!(
        "more than {MAX_BLOCKS} metadata blocks or chunks before the audio"
    ))
}

/// Walks a FLAC's metadata blocks: the ones symphonia parses by allocation become padding, and a
/// STREAMINFO with a zero sample rate is refused.
fn flac_patches<R: Read + Seek>(source: &mut R, start: u64) -> Result<Vec<Patch>> {
    let mut out = Vec::new();
    let mut offset = start + 4;
    for _ in 0..MAX_BLOCKS {
        let mut header = [0u8; 4];
        if read_at(source, offset, &mut header) < 4 {
            // Truncated: the decoder says so.
            return Ok(out);
        }
        let kind = header[0] & 0x7f;
        if kind == FLAC_STREAMINFO {
            // The sample rate is the 20 bits from the body's eleventh byte on.
            let mut info = [0u8; 13];
            if read_at(source, offset + 4, &mut info) == 13 {
                let rate = (u32::from(info[10]) << 12)
                    | (u32::from(info[11]) << 4)
                    | (u32::from(info[12]) >> 4);
                if rate == 0 {
                    return Err(Error::BadSampleRate(0));
                }
            }
        }
        if FLAC_PARSED.contains(&kind) {
            out.push(Patch {
                offset,
                bytes: vec![(header[0] & 0x80) | FLAC_PADDING],
            });
        }
        if header[0] & 0x80 != 0 {
            return Ok(out);
        }
        offset += 4 + u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
    }
    Err(too_many())
}

/// Walks the chunks of a RIFF or AIFF file (from 12 bytes after the container's start) up to
/// the audio chunk `audio`, calling `visit(source, id, offset, len)` for every chunk before it;
/// `length` reads a chunk size in the file's byte order. A truncated walk ends quietly (the
/// decoder reports it); one that meets more than `MAX_BLOCKS` chunks is refused.
fn walk_chunks<R: Read + Seek>(
    source: &mut R,
    start: u64,
    length: fn([u8; 4]) -> u32,
    audio: &[u8; 4],
    mut visit: impl FnMut(&mut R, [u8; 4], u64, u32) -> Result<()>,
) -> Result<()> {
    let mut offset = start + 12;
    for _ in 0..MAX_BLOCKS {
        let mut header = [0u8; 8];
        if read_at(source, offset, &mut header) < 8 {
            return Ok(());
        }
        let id = [header[0], header[1], header[2], header[3]];
        if &id == audio {
            return Ok(());
        }
        let len = length([header[4], header[5], header[6], header[7]]);
        visit(source, id, offset, len)?;
        let len = u64::from(len);
        offset += 8 + len + (len & 1);
    }
    Err(too_many())
}

/// Walks a WAV's chunks up to the audio: `LIST` chunks become `JUNK`, and every `fmt ` chunk
/// must be one symphonia reads to its end (else its next header would be read from elsewhere
/// than this walk's) with a non-zero sample rate.
fn wave_patches<R: Read + Seek>(source: &mut R, start: u64) -> Result<Vec<Patch>> {
    let mut out = Vec::new();
    walk_chunks(
        source,
        start,
        u32::from_le_bytes,
        b"data",
        |source, id, offset, len| {
            match &id {
                b"LIST" => out.push(Patch {
                    offset,
                    bytes: b"JUNK".to_vec(),
                }),
                b"fmt " => check_wave_format(source, offset + 8, len)?,
                _ => {}
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// A `fmt ` chunk symphonia can read exactly: PCM or float in 16, 18 or 40 bytes; extensible in
/// 40 with a sample size (zero reaches an `unreachable!()` in symphonia); A-law or µ-law in 18
/// with no extra bytes. Any other format is a codec we do not decode.
fn check_wave_format<R: Read + Seek>(source: &mut R, body: u64, len: u32) -> Result<()> {
    let mut fmt = [0u8; 18];
    if read_at(source, body, &mut fmt) < 16 {
        return Ok(());
    }
    let tag = u16::from_le_bytes([fmt[0], fmt[1]]);
    let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
    let bits = u16::from_le_bytes([fmt[14], fmt[15]]);
    let extra = u16::from_le_bytes([fmt[16], fmt[17]]);
    let exact = match tag {
        0x0001 | 0x0003 => matches!(len, 16 | 18 | 40),
        0xfffe => len == 40 && bits != 0,
        0x0006 | 0x0007 => len == 18 && extra == 0,
        _ => {
            return Err(Error::UnsupportedCodec(format!(
                "WAV format {tag:#06x} (only PCM, float, A-law and µ-law are read)"
            )));
        }
    };
    if !exact {
        return Err(Error::Corrupt(format!(
            "the WAV format chunk is malformed ({len} bytes for format {tag:#06x}, \
             {bits} bits per sample)"
        )));
    }
    if rate == 0 {
        return Err(Error::BadSampleRate(0));
    }
    Ok(())
}

/// Walks an AIFF's chunks up to the sound data: every `COMM` chunk must have the length
/// symphonia reads (18 bytes, or for AIFF-C 22 plus its padded name) and a sample rate that
/// converts to at least 1 Hz as symphonia converts it.
fn aiff_check<R: Read + Seek>(source: &mut R, start: u64, aifc: bool) -> Result<()> {
    walk_chunks(
        source,
        start,
        u32::from_be_bytes,
        b"SSND",
        |source, id, offset, len| {
            if &id == b"COMM" {
                check_common(source, offset + 8, len, aifc)?;
            }
            Ok(())
        },
    )
}

/// One AIFF `COMM` chunk, checked as [`aiff_check`] says.
fn check_common<R: Read + Seek>(source: &mut R, body: u64, len: u32, aifc: bool) -> Result<()> {
    let mut comm = [0u8; 23];
    let n = read_at(source, body, &mut comm);
    if n < 18 {
        return Ok(());
    }
    let expected = if aifc && n == 23 {
        // symphonia adds one to the name's length in a byte: 255 overflows.
        let name = u32::from(comm[22]);
        if name == 255 {
            return Err(Error::Corrupt("AIFF-C compression name too long".into()));
        }
        23 + name + ((name + 1) & 1)
    } else {
        18
    };
    if len != expected {
        return Err(Error::Corrupt(format!(
            "the AIFF common chunk is malformed ({len} bytes, {expected} expected)"
        )));
    }
    let rate = Extended::from_be_bytes(comm[8..18].try_into().unwrap_or([0; 10]));
    if rate.to_f64() as u32 == 0 {
        return Err(Error::BadSampleRate(0));
    }
    Ok(())
}

/// Reads up to `buf.len()` bytes at `offset`; returns how many were read.
fn read_at<R: Read + Seek>(source: &mut R, offset: u64, buf: &mut [u8]) -> usize {
    if source.seek(SeekFrom::Start(offset)).is_err() {
        return 0;
    }
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}

/// Applies a plan to a file held in memory: patches written, anything before the container
/// dropped.
pub fn apply(bytes: &mut Vec<u8>, plan: &Plan) {
    for patch in &plan.patches {
        overlay(bytes, 0, patch);
    }
    let start = usize::try_from(plan.start)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    bytes.drain(..start);
}

/// Writes the part of `patch` that falls inside `buf`, which holds the file from `start` on.
pub(super) fn overlay(buf: &mut [u8], start: u64, patch: &Patch) {
    let end = start + buf.len() as u64;
    let patch_end = patch.offset + patch.bytes.len() as u64;
    if patch_end <= start || patch.offset >= end {
        return;
    }
    let from = patch.offset.max(start);
    let to = patch_end.min(end);
    let source = &patch.bytes[(from - patch.offset) as usize..(to - patch.offset) as usize];
    buf[(from - start) as usize..(to - start) as usize].copy_from_slice(source);
}

#[cfg(test)]
mod tests;

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

use std::io::{Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

use crate::error::{Error, Result};

/// FLAC metadata block types symphonia parses by allocation: application, Vorbis comment, cue
/// sheet, picture.
const FLAC_PARSED: [u8; 4] = [2, 4, 5, 6];
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
            "it does not start with a WAV, AIFF, FLAC or MP3 header".into(),
        ));
    };
    check_rate(source, start, found)?;
    let patches = match found {
        Container::Flac => flac_patches(source, start),
        Container::Wave => wave_patches(source, start),
        Container::Ogg => {
            let _ = source.seek(SeekFrom::Start(0));
            return Err(Error::UnsupportedCodec(
                "Ogg files are not read (symphonia's Vorbis parser can crash on damaged ones); \
                 convert to WAV, FLAC or MP3"
                    .into(),
            ));
        }
        Container::Aiff | Container::Mpeg => Vec::new(),
    };
    // Leave the source where the decoder expects it; a failed seek shows up when it reads.
    let _ = source.seek(SeekFrom::Start(0));
    Ok(Plan { start, patches })
}

/// Refuses a header whose sample rate is zero: symphonia builds its time base from it with
/// `TimeBase::new(1, rate)`, which panics on zero (a fuzzer finding, in AIFF and WAV alike).
fn check_rate<R: Read + Seek>(source: &mut R, start: u64, container: Container) -> Result<()> {
    let rate = match container {
        Container::Wave => {
            find_chunk(source, start, b"fmt ", u32::from_le_bytes).and_then(|body| {
                let mut fmt = [0u8; 8];
                (read_at(source, body, &mut fmt) == 8)
                    .then(|| u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]))
            })
        }
        Container::Aiff => {
            find_chunk(source, start, b"COMM", u32::from_be_bytes).and_then(|body| {
                let mut comm = [0u8; 18];
                (read_at(source, body, &mut comm) == 18).then(|| extended_to_u32(&comm[8..18]))
            })
        }
        Container::Flac => {
            let mut info = [0u8; 8];
            (read_at(source, start + 8, &mut info) == 8).then(|| {
                (u32::from(info[2]) << 12) | (u32::from(info[3]) << 4) | (u32::from(info[4]) >> 4)
            })
        }
        Container::Ogg | Container::Mpeg => None,
    };
    match rate {
        Some(0) => Err(Error::BadSampleRate(0)),
        _ => Ok(()),
    }
}

/// Offset of the body of the first chunk named `id` in a RIFF or AIFF file (chunks start 12
/// bytes after the container; `length` reads a chunk size in the file's byte order).
fn find_chunk<R: Read + Seek>(
    source: &mut R,
    start: u64,
    id: &[u8; 4],
    length: fn([u8; 4]) -> u32,
) -> Option<u64> {
    let mut offset = start + 12;
    for _ in 0..MAX_BLOCKS {
        let mut header = [0u8; 8];
        if read_at(source, offset, &mut header) < 8 {
            return None;
        }
        if &header[..4] == id {
            return Some(offset + 8);
        }
        let len = u64::from(length([header[4], header[5], header[6], header[7]]));
        offset += 8 + len + (len & 1);
    }
    None
}

/// An 80-bit IEEE extended float (AIFF's sample rate) converted as symphonia does: to `f64`,
/// then saturating to `u32` (NaN and fractions below one give zero).
fn extended_to_u32(bytes: &[u8]) -> u32 {
    let exponent = i32::from(u16::from_be_bytes([bytes[0], bytes[1]]) & 0x7fff);
    let mantissa = u64::from_be_bytes(bytes[2..10].try_into().unwrap_or([0; 8]));
    if exponent == 0x7fff {
        return if mantissa << 1 == 0 { u32::MAX } else { 0 };
    }
    let value = mantissa as f64 * 2f64.powi(exponent - 16383 - 63);
    let negative = bytes[0] & 0x80 != 0;
    if negative { 0 } else { value as u32 }
}

fn flac_patches<R: Read + Seek>(source: &mut R, start: u64) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut offset = start + 4;
    for _ in 0..MAX_BLOCKS {
        let mut header = [0u8; 4];
        if read_at(source, offset, &mut header) < 4 {
            break;
        }
        let kind = header[0] & 0x7f;
        if FLAC_PARSED.contains(&kind) {
            out.push(Patch {
                offset,
                bytes: vec![(header[0] & 0x80) | FLAC_PADDING],
            });
        }
        if header[0] & 0x80 != 0 {
            break;
        }
        offset += 4 + u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
    }
    out
}

fn wave_patches<R: Read + Seek>(source: &mut R, start: u64) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut offset = start + 12;
    for _ in 0..MAX_BLOCKS {
        let mut header = [0u8; 8];
        if read_at(source, offset, &mut header) < 8 {
            break;
        }
        match &header[..4] {
            b"LIST" => out.push(Patch {
                offset,
                bytes: b"JUNK".to_vec(),
            }),
            // The reader stops at the audio; nothing after it is parsed.
            b"data" => break,
            _ => {}
        }
        let len = u64::from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        offset += 8 + len + (len & 1);
    }
    out
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
fn overlay(buf: &mut [u8], start: u64, patch: &Patch) {
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

/// A file read through a plan (files are not loaded into memory): it appears to start at the
/// container, with the patches in place.
pub struct Patched<R> {
    inner: R,
    /// Position in the file (not relative to the container).
    position: u64,
    plan: Plan,
}

impl<R: Read + Seek> Patched<R> {
    /// Wraps a source, reading its headers to plan what to skip and patch.
    pub fn new(mut inner: R) -> Result<Self> {
        let plan = plan(&mut inner)?;
        let position = inner
            .seek(SeekFrom::Start(plan.start))
            .map_err(|e| Error::Io(e.to_string()))?;
        Ok(Self {
            inner,
            position,
            plan,
        })
    }
}

impl<R: Read> Read for Patched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for patch in &self.plan.patches {
            overlay(&mut buf[..n], self.position, patch);
        }
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Patched<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let to = match to {
            SeekFrom::Start(offset) => SeekFrom::Start(self.plan.start.saturating_add(offset)),
            other => other,
        };
        self.position = self.inner.seek(to)?;
        if self.position < self.plan.start {
            self.position = self.inner.seek(SeekFrom::Start(self.plan.start))?;
        }
        Ok(self.position - self.plan.start)
    }
}

impl<R: MediaSource> MediaSource for Patched<R> {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner
            .byte_len()
            .map(|len| len.saturating_sub(self.plan.start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A FLAC prefix: STREAMINFO, then a picture block claiming 2 GB, marked last.
    fn flac_with_picture() -> Vec<u8> {
        let mut bytes = b"fLaC".to_vec();
        bytes.extend([0, 0, 0, 34]);
        let mut info = [0u8; 34];
        // 16 kHz: the sample rate's 20 bits start at the body's third byte.
        info[2..4].copy_from_slice(&[0x03, 0xe8]);
        bytes.extend(info);
        bytes.extend([0x80 | 6, 0, 0, 12]);
        bytes.extend(0u32.to_be_bytes());
        bytes.extend(0x8000_0000u32.to_be_bytes());
        bytes.extend([0u8; 4]);
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
        let mut fmt = [0u8; 16];
        fmt[4..8].copy_from_slice(&16_000u32.to_le_bytes());
        bytes.extend(fmt);
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
    fn reading_through_a_plan_in_pieces_sees_the_patched_container() {
        let mut bytes = b"ID3\x04\0\0\0\0\0\x03abc".to_vec();
        bytes.extend(flac_with_picture());
        let mut expected = bytes.clone();
        apply(&mut expected, &plan(&mut Cursor::new(&bytes)).unwrap());
        let mut reader = Patched::new(Cursor::new(bytes)).unwrap();
        let mut seen: Vec<u8> = Vec::new();
        let mut piece = [0u8; 5];
        loop {
            let n = reader.read(&mut piece).unwrap();
            if n == 0 {
                break;
            }
            seen.extend(&piece[..n]);
        }
        assert_eq!(seen, expected);
        assert_eq!(reader.seek(SeekFrom::Start(4)).unwrap(), 4);
        assert_eq!(reader.read(&mut piece).unwrap(), 5);
        assert_eq!(piece[..4], expected[4..8]);
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
        assert_eq!(extended_to_u32(&aiff[aiff.len() - 10..]), 16_000);
        assert!(plan(&mut Cursor::new(&aiff)).is_ok());
        let mut wave = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0".to_vec();
        wave.extend([0u8; 12]);
        assert_eq!(plan(&mut Cursor::new(&wave)), Err(Error::BadSampleRate(0)));
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
}

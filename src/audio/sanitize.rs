//! Hides the metadata we never use from the decoder. symphonia 0.5 parses FLAC pictures and
//! comments and WAV `LIST` chunks by allocating whatever their length fields claim, before it
//! finds out that the file is far shorter: a 1 kB file could make it allocate 4 GB (natively
//! harmless thanks to overcommit, fatal in WebAssembly). Found by `fuzz/decode_classify`.
//!
//! Before decoding, the metadata blocks are walked (their headers only) and patched in the bytes
//! the decoder sees: FLAC application, comment, cue sheet and picture blocks become padding,
//! which symphonia skips; WAV `LIST` chunks become `JUNK`, which it skips too. The audio itself
//! is never touched.

use std::io::{Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

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

/// The patches that hide a file's parsed metadata, reading only block and chunk headers.
/// Unknown formats and unreadable headers give no patches: the decoder decides about those.
pub fn patches<R: Read + Seek>(source: &mut R) -> Vec<Patch> {
    let mut magic = [0u8; 12];
    let found = read_at(source, 0, &mut magic);
    let patches = if found >= 4 && &magic[..4] == b"fLaC" {
        flac_patches(source)
    } else if found == 12 && &magic[..4] == b"RIFF" && &magic[8..] == b"WAVE" {
        wave_patches(source)
    } else {
        Vec::new()
    };
    // Leave the source where the decoder expects it; a failed seek shows up when it reads.
    let _ = source.seek(SeekFrom::Start(0));
    patches
}

fn flac_patches<R: Read + Seek>(source: &mut R) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut offset = 4u64;
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

fn wave_patches<R: Read + Seek>(source: &mut R) -> Vec<Patch> {
    let mut out = Vec::new();
    let mut offset = 12u64;
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

/// Applies patches to bytes in memory.
pub fn apply(bytes: &mut [u8], patches: &[Patch]) {
    for patch in patches {
        overlay(bytes, 0, patch);
    }
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

/// A source read through its patches (files, which are not loaded into memory).
pub struct Patched<R> {
    inner: R,
    position: u64,
    patches: Vec<Patch>,
}

impl<R: Read + Seek> Patched<R> {
    /// Wraps a source, reading its headers to find what to patch.
    pub fn new(mut inner: R) -> Self {
        let patches = patches(&mut inner);
        Self {
            inner,
            position: 0,
            patches,
        }
    }
}

impl<R: Read> Read for Patched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for patch in &self.patches {
            overlay(&mut buf[..n], self.position, patch);
        }
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Patched<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(to)?;
        Ok(self.position)
    }
}

impl<R: MediaSource> MediaSource for Patched<R> {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner.byte_len()
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
        bytes.extend([0u8; 34]);
        bytes.extend([0x80 | 6, 0, 0, 12]);
        bytes.extend(0u32.to_be_bytes());
        bytes.extend(0x8000_0000u32.to_be_bytes());
        bytes.extend([0u8; 4]);
        bytes
    }

    #[test]
    fn flac_pictures_become_padding_and_stay_last() {
        let mut bytes = flac_with_picture();
        let found = patches(&mut Cursor::new(&bytes));
        assert_eq!(
            found,
            vec![Patch {
                offset: 42,
                bytes: vec![0x81]
            }]
        );
        apply(&mut bytes, &found);
        assert_eq!(bytes[42], 0x81);
        assert_eq!(&bytes[..4], b"fLaC", "nothing else changes");
    }

    #[test]
    fn wave_list_chunks_become_junk_up_to_the_data() {
        let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
        bytes.extend(b"fmt \x10\0\0\0");
        bytes.extend([0u8; 16]);
        bytes.extend(b"LIST\x05\0\0\0INFOx\0");
        bytes.extend(b"data\x04\0\0\0LIST");
        let found = patches(&mut Cursor::new(&bytes));
        assert_eq!(
            found,
            vec![Patch {
                offset: 36,
                bytes: b"JUNK".to_vec()
            }]
        );
    }

    #[test]
    fn reading_through_patches_in_pieces_sees_the_patched_bytes() {
        let bytes = flac_with_picture();
        let mut expected = bytes.clone();
        apply(&mut expected, &patches(&mut Cursor::new(&bytes)));
        let mut reader = Patched::new(Cursor::new(bytes));
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
    }

    #[test]
    fn other_files_are_left_alone() {
        assert!(patches(&mut Cursor::new(b"FORM\0\0\0\x04AIFF")).is_empty());
        assert!(patches(&mut Cursor::new(b"")).is_empty());
    }
}

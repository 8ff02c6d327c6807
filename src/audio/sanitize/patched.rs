//! A file read through a [`Plan`] without loading it into memory: the decoder sees it start at
//! the container, with the patches in place.

use std::io::{Read, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

use super::{Plan, overlay, plan};
use crate::error::{Error, Result};

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
        let position = self.inner.seek(to)?;
        if position < self.plan.start {
            self.inner.seek(SeekFrom::Start(self.position))?;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start of the audio container",
            ));
        }
        self.position = position;
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
    use std::io::Cursor;

    use super::*;
    use crate::audio::sanitize::apply;
    use crate::audio::sanitize::tests::flac_with_picture;

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
}

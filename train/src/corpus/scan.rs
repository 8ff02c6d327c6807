//! Walking a data root: every audio file below it, labelled by its name where a corpus claims it.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use speech_emotion::Emotion;

use super::{Clip, Corpus, parse};

/// Audio file endings the walker considers.
const AUDIO_EXTENSIONS: [&str; 5] = ["wav", "flac", "aif", "aiff", "mp3"];

/// What a walk of a data root found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Labelled clips, sorted by path, each clip once.
    pub clips: Vec<Clip>,
    /// Audio files whose names fit no corpus (or are RAVDESS song/video).
    pub skipped: Vec<PathBuf>,
    /// Clips found again in another format (e.g. an original WAV beside its FLAC copy).
    pub duplicates: usize,
}

impl Scan {
    /// Clip counts per corpus and emotion.
    pub fn counts(&self) -> BTreeMap<Corpus, [usize; Emotion::COUNT]> {
        let mut counts = BTreeMap::new();
        for clip in &self.clips {
            counts.entry(clip.corpus).or_insert([0; Emotion::COUNT])[clip.emotion.index()] += 1;
        }
        counts
    }

    /// A table of what was found, per corpus and per emotion.
    pub fn report(&self) -> String {
        let mut out = format!("{:<9}", "corpus");
        for e in Emotion::ALL {
            out.push_str(&format!("{:>9}", e.name()));
        }
        out.push_str(&format!("{:>8}{:>10}\n", "total", "speakers"));
        for (corpus, row) in self.counts() {
            let speakers: HashSet<&str> = self
                .clips
                .iter()
                .filter(|c| c.corpus == corpus)
                .map(|c| c.speaker.as_str())
                .collect();
            out.push_str(&format!("{:<9}", corpus.name()));
            for n in row {
                out.push_str(&format!("{n:>9}"));
            }
            out.push_str(&format!(
                "{:>8}{:>10}\n",
                row.iter().sum::<usize>(),
                speakers.len()
            ));
        }
        out.push_str(&format!(
            "{} clips; {} audio files skipped (names of no corpus, RAVDESS song/video); {} duplicates in another format ignored\n",
            self.clips.len(),
            self.skipped.len(),
            self.duplicates
        ));
        out
    }
}

/// Every audio file below `dir` (by extension), sorted.
pub fn audio_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    Ok(files)
}

/// Walks `root` recursively and labels every audio file it can. Unreadable folders are errors.
pub fn scan(root: &Path) -> std::io::Result<Scan> {
    let files = audio_files(root)?;
    let mut scan = Scan::default();
    let mut seen = HashSet::new();
    for path in files {
        match parse(&path) {
            Some(clip) => {
                let key = (
                    clip.speaker.clone(),
                    path.file_stem().map(|s| s.to_os_string()),
                );
                if seen.insert(key) {
                    scan.clips.push(clip);
                } else {
                    scan.duplicates += 1;
                }
            }
            None => scan.skipped.push(path),
        }
    }
    Ok(scan)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
    Ok(())
}

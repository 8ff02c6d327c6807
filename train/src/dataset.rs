//! Turning clips into model inputs: decode, resample, augment (training clips only), cut into
//! windows and extract features, all with the library's code path. Runs on every core with a
//! progress bar, and caches its result so a second run skips all of it.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand::rngs::StdRng;
use speech_emotion::audio::{DecodeOptions, load_file};
use speech_emotion::features::{FeatureConfig, FeatureExtractor, Matrix};
use speech_emotion::input::{InputKind, window_features};
use speech_emotion::segment::{WindowConfig, windows};

use crate::augment::channel::Channel;
use crate::augment::{Augmentation, Recipe};
use crate::corpus::{Clip, Corpus};
use crate::protocol::{held_out, validation};
use speech_emotion::parallel::map_in_order;

/// Bump when anything that shapes the cached features changes.
const CACHE_VERSION: u32 = 3;

/// One model window of one (possibly augmented) copy of a clip.
#[derive(Debug, Clone)]
pub struct Example {
    /// Index of the clip in the clip list.
    pub clip: usize,
    /// 0 for the original, 1.. for the augmented copies.
    pub variant: u8,
    /// The unnormalised input matrix.
    pub input: Matrix,
}

/// Features of a set of clips.
pub struct Prepared {
    /// All windows of all copies of every readable clip.
    pub examples: Vec<Example>,
    /// Clips that could not be read, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// Settings that decide the features.
pub struct PrepareOptions<'a> {
    /// Feature parameters.
    pub features: &'a FeatureConfig,
    /// How clips are cut into windows.
    pub window: &'a WindowConfig,
    /// The spectral rows of the inputs.
    pub input: InputKind,
    /// How to make the four augmented copies of each clip (`None`: no copies).
    pub augment: Option<Recipe>,
    /// Seed of the augmentation draws.
    pub seed: u64,
    /// Where the cache lives (`None`: no cache).
    pub cache_dir: Option<&'a Path>,
    /// Worker threads.
    pub threads: usize,
}

/// Extracts (or loads from the cache) the examples of `clips`.
pub fn prepare(clips: &[Clip], options: &PrepareOptions) -> Prepared {
    let cache = options
        .cache_dir
        .map(|dir| dir.join(format!("features-{:016x}.bin", key(clips, options))));
    if let Some(path) = &cache
        && let Ok(prepared) = read_cache(path)
    {
        eprintln!(
            "features: {} windows from the cache {}",
            prepared.examples.len(),
            path.display()
        );
        return prepared;
    }
    let extractor = FeatureExtractor::new(options.features.clone()).expect("valid feature config");
    let babble = match options.augment {
        Some(Recipe::Channel) => Babble::gather(clips, options.features.sr, options.seed),
        _ => Babble::default(),
    };
    let bar = ProgressBar::new(clips.len() as u64).with_style(
        ProgressStyle::with_template("features {bar:40} {pos}/{len} clips [{elapsed} < {eta}]")
            .expect("template"),
    );
    let results = map_in_order(clips, options.threads, |index, clip| {
        let result = clip_examples(index, clip, &extractor, options, &babble);
        bar.inc(1);
        result
    });
    bar.finish();
    let mut prepared = Prepared {
        examples: Vec::new(),
        failed: Vec::new(),
    };
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(examples) => prepared.examples.extend(examples),
            Err(e) => prepared.failed.push((clips[index].path.clone(), e)),
        }
    }
    if let Some(path) = &cache
        && let Err(e) = write_cache(path, &prepared)
    {
        eprintln!(
            "warning: could not write the feature cache {}: {e}",
            path.display()
        );
    }
    prepared
}

/// Voices to mix into babble noise: a few clips of each corpus's training speakers (never a
/// speaker that (c) tests on or that validates), so no test voice is heard, even as background.
#[derive(Default)]
struct Babble {
    voices: std::collections::BTreeMap<Corpus, Vec<Vec<f32>>>,
}

impl Babble {
    const PER_CORPUS: usize = 16;

    fn gather(clips: &[Clip], sr: u32, seed: u64) -> Self {
        let mut voices: std::collections::BTreeMap<Corpus, Vec<Vec<f32>>> = Default::default();
        let mut rng = StdRng::seed_from_u64(seed ^ 0xBABB1E);
        let mut order: Vec<&Clip> = clips
            .iter()
            .filter(|c| !held_out(&c.speaker) && !validation(c))
            .collect();
        rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
        for clip in order {
            let list = voices.entry(clip.corpus).or_default();
            if list.len() < Self::PER_CORPUS
                && let Ok((audio, _)) = load_file(&clip.path, sr, DecodeOptions::default())
            {
                list.push(audio.samples);
            }
        }
        Self { voices }
    }

    /// Four voices of the clip's corpus (other clips than itself), each at the same level,
    /// summed over three seconds.
    fn mixture(&self, clip: &Clip, sr: u32, rng: &mut StdRng) -> Vec<f32> {
        use rand::Rng;
        let Some(list) = self.voices.get(&clip.corpus).filter(|l| !l.is_empty()) else {
            return Vec::new();
        };
        let mut mix = vec![0.0f32; 3 * sr as usize];
        for _ in 0..4 {
            let voice = &list[rng.random_range(0..list.len())];
            let rms = (voice.iter().map(|v| v * v).sum::<f32>() / voice.len().max(1) as f32).sqrt();
            if rms <= 0.0 {
                continue;
            }
            let start = rng.random_range(0..voice.len());
            for (i, m) in mix.iter_mut().enumerate() {
                *m += voice[(start + i) % voice.len()] / rms;
            }
        }
        mix
    }
}

fn clip_examples(
    index: usize,
    clip: &Clip,
    extractor: &FeatureExtractor,
    options: &PrepareOptions,
    babble: &Babble,
) -> Result<Vec<Example>, String> {
    let sr = options.features.sr;
    let (audio, _) =
        load_file(&clip.path, sr, DecodeOptions::default()).map_err(|e| e.to_string())?;
    let mut copies = vec![audio.samples];
    if let Some(recipe) = options.augment {
        let mut hasher = DefaultHasher::new();
        clip.path.file_name().hash(&mut hasher);
        let mut rng = StdRng::seed_from_u64(options.seed ^ hasher.finish());
        for augmentation in Augmentation::draw_set(&mut rng) {
            let copy = augmentation.apply(&copies[0], sr, &mut rng);
            copies.push(match recipe {
                Recipe::Seed => copy,
                Recipe::Channel => {
                    let noise = babble.mixture(clip, sr, &mut rng);
                    Channel::draw(&mut rng, sr as f32).apply(&copy, sr as f32, &noise, &mut rng)
                }
            });
        }
    }
    let mut examples = Vec::new();
    for (variant, samples) in copies.iter().enumerate() {
        for window in windows(samples, sr, options.window)
            .into_iter()
            .filter(|w| w.speech)
        {
            let input = window_features(extractor, &window.samples, options.input)
                .map_err(|e| e.to_string())?;
            examples.push(Example {
                clip: index,
                variant: variant as u8,
                input,
            });
        }
    }
    Ok(examples)
}

/// A key over everything that decides the features: files, sizes, times, settings, seed.
fn key(clips: &[Clip], options: &PrepareOptions) -> u64 {
    let mut hasher = DefaultHasher::new();
    CACHE_VERSION.hash(&mut hasher);
    for clip in clips {
        clip.path.hash(&mut hasher);
        if let Ok(meta) = fs::metadata(&clip.path) {
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    serde_json::to_string(options.features)
        .unwrap_or_default()
        .hash(&mut hasher);
    serde_json::to_string(options.window)
        .unwrap_or_default()
        .hash(&mut hasher);
    if options.input != InputKind::Mfcc {
        serde_json::to_string(&options.input)
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    options.augment.hash(&mut hasher);
    options.seed.hash(&mut hasher);
    hasher.finish()
}

fn write_cache(path: &Path, prepared: &Prepared) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut out = BufWriter::new(fs::File::create(&tmp)?);
    out.write_all(&(prepared.examples.len() as u64).to_le_bytes())?;
    for e in &prepared.examples {
        out.write_all(&(e.clip as u32).to_le_bytes())?;
        out.write_all(&[e.variant])?;
        out.write_all(&(e.input.rows as u32).to_le_bytes())?;
        out.write_all(&(e.input.cols as u32).to_le_bytes())?;
        for v in &e.input.data {
            out.write_all(&v.to_le_bytes())?;
        }
    }
    out.write_all(&(prepared.failed.len() as u64).to_le_bytes())?;
    for (path, reason) in &prepared.failed {
        let text = format!("{}\t{reason}", path.display());
        out.write_all(&(text.len() as u64).to_le_bytes())?;
        out.write_all(text.as_bytes())?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    fs::rename(tmp, path)
}

fn read_cache(path: &Path) -> std::io::Result<Prepared> {
    let mut input = BufReader::new(fs::File::open(path)?);
    let mut u64b = [0u8; 8];
    let mut u32b = [0u8; 4];
    input.read_exact(&mut u64b)?;
    let count = u64::from_le_bytes(u64b) as usize;
    let mut examples = Vec::with_capacity(count);
    for _ in 0..count {
        input.read_exact(&mut u32b)?;
        let clip = u32::from_le_bytes(u32b) as usize;
        let mut variant = [0u8];
        input.read_exact(&mut variant)?;
        input.read_exact(&mut u32b)?;
        let rows = u32::from_le_bytes(u32b) as usize;
        input.read_exact(&mut u32b)?;
        let cols = u32::from_le_bytes(u32b) as usize;
        let mut bytes = vec![0u8; rows * cols * 4];
        input.read_exact(&mut bytes)?;
        let data = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        examples.push(Example {
            clip,
            variant: variant[0],
            input: Matrix { rows, cols, data },
        });
    }
    input.read_exact(&mut u64b)?;
    let mut failed = Vec::new();
    for _ in 0..u64::from_le_bytes(u64b) {
        input.read_exact(&mut u64b)?;
        let mut text = vec![0u8; u64::from_le_bytes(u64b) as usize];
        input.read_exact(&mut text)?;
        let text = String::from_utf8_lossy(&text).into_owned();
        let (path, reason) = text.split_once('\t').unwrap_or((&text, ""));
        failed.push((PathBuf::from(path), reason.to_string()));
    }
    Ok(Prepared { examples, failed })
}

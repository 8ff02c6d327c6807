//! `train`: features for every clip, the protocols (the shipped model, (c), (b), (a) by
//! default; (d) on request), and the shipped model with its metadata and confusion images.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use speech_emotion::Emotion;
use speech_emotion::features::FeatureConfig;
use speech_emotion::input::{InputKind, Normalization};
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::{Ensemble, MAX_MEMBERS, ModelConfig};
use speech_emotion::segment::WindowConfig;

use super::calibrate::calibrate_model;
use crate::augment::Recipe;
use crate::augment::masking::Masks;
use crate::corpus::{Clip, Corpus, scan};
use crate::dataset::{Example, PrepareOptions, prepare};
use crate::loco::leave_one_corpus_out;
use crate::plot::confusion_png;
use crate::protocol::Protocol;
use crate::run::{Setup, run_many, run_name};
use crate::shipping::{add_figures, write_model};
use crate::training::TrainConfig;

/// Arguments of the `train` command.
#[derive(clap::Args)]
pub struct Args {
    /// Data root to walk for RAVDESS, TESS, SAVEE, CREMA-D, nEMO and ASED clips.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Where the model record, metadata and images are written.
    #[arg(long, default_value = "models")]
    out: PathBuf,
    /// File stem of the model.
    #[arg(long, default_value = "emotion-cnn")]
    name: String,
    /// Maximum epochs per protocol (early stopping may end sooner).
    #[arg(long, default_value_t = 40)]
    epochs: usize,
    /// Seed for splits, augmentation, initialisation and batches.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Feature cache directory.
    #[arg(long, default_value = "target/feature-cache")]
    cache: PathBuf,
    /// Extract the features again instead of using (or writing) the cache.
    #[arg(long)]
    no_cache: bool,
    /// Protocols to run, in order: `ship` trains the shipped model (every corpus, validation
    /// speakers aside); `d` (leave one corpus out, one run per corpus) is its own command:
    /// `--protocols d` adds its figures to the shipped model's metadata.
    #[arg(long, value_delimiter = ',', default_values = ["ship", "c", "b", "a"])]
    protocols: Vec<Protocol>,
    /// The small quick configuration the tests use: a dozen clips per speaker, few epochs.
    #[arg(long)]
    quick: bool,
    /// Worker threads for feature extraction and for training networks side by side (the
    /// networks are the same for any number).
    #[arg(long, default_value_t = std::thread::available_parallelism().map_or(2, |n| n.get()))]
    threads: usize,
    /// Remove each window's mean from its spectral rows (MFCC or log-mel: cepstral mean
    /// normalisation), as the shipped model does; `--centre-mfcc false` trains without it.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    centre_mfcc: bool,
    /// Also divide each window's centred spectral rows by their standard deviation over the
    /// window (at least 1 dB): the recording's contrast taken away with its envelope.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    scale_bands: bool,
    /// The rows of the input after ZCR and RMS: `log-mel-pitch` (three prosody rows, namely
    /// periodicity, F0 relative to the window's median and that median, then the 64 log-mel
    /// bands: the shipped model's), `log-mel` (the bands alone) or `mfcc` (20 coefficients, the
    /// seed's).
    #[arg(long, default_value = "log-mel-pitch", value_parser = parse_input)]
    input: InputKind,
    /// Learning rate at the start of the cosine schedule.
    #[arg(long, default_value_t = 2e-3)]
    learning_rate: f64,
    /// Networks trained per protocol, from seeds `seed`, `seed + 1`, ...; the model averages
    /// their probabilities. The shipped model is one wider network (README: it won on the
    /// validation speakers against two narrower ones of the same size).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=MAX_MEMBERS as i64))]
    members: u16,
    /// Largest random move of the log-mel bands during training, in bands (a voice higher or
    /// lower than the training voices); 0 turns it off. Not used with `--input mfcc`.
    #[arg(long, default_value_t = 3)]
    band_shift: usize,
    /// Output channels of the three convolution blocks.
    #[arg(long, value_delimiter = ',', default_values_t = [48, 96, 96])]
    channels: Vec<usize>,
    /// Draw every corpus equally often in an epoch (`--epoch-size` windows), so a large corpus
    /// of two speakers does not outweigh one of seventy; off, every clip once per epoch (the
    /// shipped model's: better on the validation speakers, README).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    balance_corpora: bool,
    /// Windows drawn per epoch when balancing the corpora.
    #[arg(long, default_value_t = 3000)]
    epoch_size: usize,
    /// Compute each clip's loss over the classes its corpus records only (off for the shipped
    /// model: it went with the balancing, which lost on the validation speakers).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    mask_absent_classes: bool,
    /// The augmented copies: `seed` (noise, stretch, pitch, shift; the shipped model's) or
    /// `channel` (the same, each through a random room, equaliser, telephone line, gain and
    /// noise or babble).
    #[arg(long, default_value = "seed")]
    augment: Recipe,
    /// Pool each window over time with learned attention (a weight per frame) instead of the
    /// plain mean, beside the maximum.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    attention_pooling: bool,
    /// A 2D convolution over the log-mel image before the Conv1d blocks, with this many 3 × 3
    /// maps, each pooled over runs of 4 bands (`src/image.rs`; the shipped model's 4 won on the
    /// validation speakers); 0 trains without.
    #[arg(long, default_value_t = 4)]
    image_maps: usize,
    /// Convolutions in the image front: 1, or 2 (a second 3 × 3 convolution over the pooled
    /// maps, which then see 12 bands at once; the shipped model's 2 won on the validation
    /// speakers). [default: 2 with an image front; an error without one]
    #[arg(long)]
    image_layers: Option<usize>,
    /// Strength of a corpus adversary: a small network learns which corpus each window comes
    /// from and the emotion network is trained against it (gradient reversal), to forget the
    /// rooms and languages it was trained on; 0 (the default) trains without it.
    #[arg(long, default_value_t = 0.0)]
    adversarial_weight: f32,
    /// Mixup: each training window blended with another of its batch (and its target the same
    /// way), the partner's share drawn up to this (at most 0.5); 0 (the default) trains without.
    #[arg(long, default_value_t = 0.0)]
    mixup: f32,
    /// SpecAugment: each training window loses two runs of up to this many adjacent log-mel
    /// bands (set to the training mean); 0 (the default) trains without.
    #[arg(long, default_value_t = 0)]
    band_mask: usize,
    /// SpecAugment: each training window loses two runs of up to this many frames; 0 (the
    /// default) trains without.
    #[arg(long, default_value_t = 0)]
    frame_mask: usize,
    /// Label smoothing: this share of every target spread over the classes the window may have
    /// (at most 0.3; the shipped model's 0.1 won on the validation speakers); 0 trains on the
    /// plain labels.
    #[arg(long, default_value_t = 0.1)]
    label_smoothing: f32,
    /// Store the weights in half precision (f16): half the record the page downloads; the
    /// saved model must answer within 0.05 of every probability of the trained one.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    half_precision: bool,
}

fn parse_input(value: &str) -> Result<InputKind, String> {
    serde_json::from_value(json!(value))
        .map_err(|_| format!("`{value}`: expected mfcc, log-mel or log-mel-pitch"))
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let features = FeatureConfig::default();
    let window = WindowConfig::default();
    // Settings are checked before any clip is read: a bad flag fails at once.
    let (model_config, train_config) = configs(&args, &features)?;
    let clips = load_clips(&args)?;
    let examples = extract(&args, &clips, &features, &window)?;
    let frames = examples
        .first()
        .ok_or("no clip gave a speech window")?
        .input
        .cols;
    let metadata = ModelMetadata {
        name: args.name.clone(),
        classes: Emotion::ALL.iter().map(|e| e.name().to_string()).collect(),
        features: features.clone(),
        window: window.clone(),
        input: args.input,
        frames,
        normalization: Normalization::fit(std::iter::empty(), None),
        model: model_config.clone(),
        half_precision: args.half_precision,
        calibration: None,
        training: serde_json::Value::Null,
        evaluation: serde_json::Value::Null,
    };
    let setup = Setup {
        clips: &clips,
        examples: &examples,
        model_config: &model_config,
        train_config: &train_config,
        threads: args.threads,
        centre_from: args.centre_mfcc.then_some(args.input.spectral_from()),
        scale: args.scale_bands,
        metadata: &metadata,
    };

    std::fs::create_dir_all(&args.out)?;
    let mut evaluation = serde_json::Map::new();
    let shipped = train_protocols(&setup, &args, &mut evaluation)?;
    if args.protocols.contains(&Protocol::D) {
        eprintln!("\n=== {} ===", Protocol::D.describe());
        let d_start = Instant::now();
        let mut entry = leave_one_corpus_out(&setup, &args.out)?;
        entry.insert("seconds".into(), json!(d_start.elapsed().as_secs()));
        evaluation.insert(Protocol::D.key().into(), serde_json::Value::Object(entry));
    }
    let training = json!({
        "data": found_summary(&clips),
        "train_config": train_config,
        "augmentation": args.augment.describe(),
        "quick": args.quick,
        "seconds": started.elapsed().as_secs(),
    });
    match shipped {
        Some((model, metadata)) => {
            write_model(
                &args.out, &args.name, model, metadata, training, evaluation, &examples,
            )?;
            let model_json = args.out.join(format!("{}.json", args.name));
            calibrate_model(&model_json, &clips, args.threads)?;
        }
        None => add_figures(&args.out, &args.name, evaluation)?,
    }
    eprintln!("done in {:.1} min", started.elapsed().as_secs_f64() / 60.0);
    Ok(ExitCode::SUCCESS)
}

/// Every protocol asked for but (d), their networks trained side by side; their figures go into
/// `evaluation`. Returns the shipped model when `ship` was among them.
fn train_protocols(
    setup: &Setup,
    args: &Args,
    evaluation: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<Option<(Ensemble, ModelMetadata)>, Box<dyn std::error::Error>> {
    let mut shipped = None;
    let specs: Vec<(Protocol, Option<Corpus>)> = args
        .protocols
        .iter()
        .filter(|p| **p != Protocol::D)
        .map(|&p| (p, None))
        .collect();
    if specs.is_empty() {
        return Ok(None);
    }
    let batch_start = Instant::now();
    for (&(protocol, _), outcome) in specs.iter().zip(run_many(setup, &specs)?) {
        let Some(outcome) = outcome else {
            eprintln!(
                "{}: not enough data for training and validation, skipped",
                run_name(protocol, None)
            );
            continue;
        };
        if let Some(report) = &outcome.report {
            let image = args.out.join(format!("confusion-{}.png", protocol.key()));
            confusion_png(report, protocol.describe(), &image)?;
        }
        let mut entry = outcome.entry;
        entry.insert(
            "seconds_with_the_others".into(),
            json!(batch_start.elapsed().as_secs()),
        );
        evaluation.insert(protocol.key().into(), serde_json::Value::Object(entry));
        if protocol == Protocol::Ship {
            shipped = Some((outcome.model, outcome.metadata));
        }
    }
    Ok(shipped)
}

/// The labelled clips under `--data` (a dozen per speaker with `--quick`).
fn load_clips(args: &Args) -> Result<Vec<Clip>, Box<dyn std::error::Error>> {
    let found = scan(&args.data)
        .map_err(|e| format!("cannot read the data root {}: {e}", args.data.display()))?;
    eprintln!("data root {}:\n{}", args.data.display(), found.report());
    let mut clips = found.clips;
    if args.quick {
        clips = quick_subset(clips, 12);
        eprintln!("quick configuration: {} clips", clips.len());
    }
    if clips.is_empty() {
        return Err(format!("no labelled clips under {}", args.data.display()).into());
    }
    Ok(clips)
}

/// Every window of every clip and of its augmented copies (from the cache when it has them).
fn extract(
    args: &Args,
    clips: &[Clip],
    features: &FeatureConfig,
    window: &WindowConfig,
) -> Result<Vec<Example>, Box<dyn std::error::Error>> {
    let prepared = prepare(
        clips,
        &PrepareOptions {
            features,
            window,
            input: args.input,
            augment: Some(args.augment),
            seed: args.seed,
            cache_dir: (!args.no_cache).then_some(args.cache.as_path()),
            threads: args.threads,
        },
    );
    for (path, reason) in &prepared.failed {
        eprintln!("skipped unreadable clip {}: {reason}", path.display());
    }
    Ok(prepared.examples)
}

/// Convolutions of the image front when there is one: `--image-layers`, 2 by default.
const DEFAULT_IMAGE_LAYERS: usize = 2;

/// `[maps, first band row]` of the image front `--image-maps` asks for, if any.
fn image_front(args: &Args) -> Result<Option<[usize; 2]>, String> {
    if args.image_maps == 0 {
        return match args.image_layers {
            Some(layers) => Err(format!(
                "--image-layers {layers} shapes the image front, which --image-maps 0 leaves out"
            )),
            None => Ok(None),
        };
    }
    if !args.input.has_bands() {
        return Err(
            "the image front (--image-maps, 4 by default) reads log-mel bands: add --image-maps 0 \
             with --input mfcc"
                .into(),
        );
    }
    Ok(Some([args.image_maps, args.input.spectral_from()]))
}

/// The front's layers as the metadata stores them: `None` for one (what metadata from before
/// the option means) and without a front.
fn image_layers(args: &Args) -> Option<usize> {
    let layers = args.image_layers.unwrap_or(DEFAULT_IMAGE_LAYERS);
    (args.image_maps > 0 && layers != 1).then_some(layers)
}

/// The network's shape and the training settings the arguments ask for.
fn configs(
    args: &Args,
    features: &FeatureConfig,
) -> Result<(ModelConfig, TrainConfig), Box<dyn std::error::Error>> {
    let members = if args.quick {
        args.members.min(2)
    } else {
        args.members
    } as usize;
    let channels: [usize; 3] = args
        .channels
        .as_slice()
        .try_into()
        .map_err(|_| format!("--channels takes three counts, got {:?}", args.channels))?;
    let model_config = ModelConfig::new(args.input.channels(features))
        .with_members(members)
        .with_channels(channels)
        .with_attention_pooling(args.attention_pooling.then_some(true))
        .with_image(image_front(args)?)
        .with_image_layers(image_layers(args));
    model_config.check()?;
    if !(0.0..=10.0).contains(&args.adversarial_weight) {
        return Err(format!(
            "--adversarial-weight must be between 0 (off) and 10, got {}",
            args.adversarial_weight
        )
        .into());
    }
    if !(0.0..=0.5).contains(&args.mixup) {
        return Err(format!(
            "--mixup is the partner's largest share, between 0 (off) and 0.5, got {}",
            args.mixup
        )
        .into());
    }
    if !(0.0..=0.3).contains(&args.label_smoothing) {
        return Err(format!(
            "--label-smoothing is a share of the target, between 0 (off) and 0.3, got {}",
            args.label_smoothing
        )
        .into());
    }
    let train_config = TrainConfig {
        epochs: if args.quick {
            args.epochs.min(3)
        } else {
            args.epochs
        },
        batch_size: 32,
        learning_rate: args.learning_rate,
        weight_decay: 1e-4,
        patience: 8,
        seed: args.seed,
        band_shift: if args.input.has_bands() {
            args.band_shift
        } else {
            0
        },
        bands_from: args.input.spectral_from(),
        balance_corpora: args.balance_corpora,
        epoch_size: if args.quick {
            args.epoch_size.min(600)
        } else {
            args.epoch_size
        },
        mask_absent_classes: args.mask_absent_classes,
        adversarial_weight: args.adversarial_weight,
        mixup: args.mixup,
        masks: Masks {
            bands: if args.input.has_bands() {
                args.band_mask
            } else {
                0
            },
            frames: args.frame_mask,
        },
        label_smoothing: args.label_smoothing,
    };
    Ok((model_config, train_config))
}

/// A dozen clips per speaker (a third of that for corpora of many speakers, ASED's 70), spread
/// over the speaker's emotions, for the quick configuration.
fn quick_subset(clips: Vec<Clip>, per_speaker: usize) -> Vec<Clip> {
    let mut speakers: BTreeMap<crate::corpus::Corpus, std::collections::BTreeSet<String>> =
        BTreeMap::new();
    for clip in &clips {
        speakers
            .entry(clip.corpus)
            .or_default()
            .insert(clip.speaker.clone());
    }
    let mut by_speaker: BTreeMap<String, Vec<Clip>> = BTreeMap::new();
    for clip in clips {
        by_speaker
            .entry(clip.speaker.clone())
            .or_default()
            .push(clip);
    }
    let mut out = Vec::new();
    for (_, mut list) in by_speaker {
        list.sort_by_key(|c| (c.emotion, c.path.clone()));
        let many = speakers[&list[0].corpus].len() > 20;
        let take = if many { per_speaker / 3 } else { per_speaker };
        let step = (list.len() / take).max(1);
        out.extend(list.into_iter().step_by(step).take(take));
    }
    out
}

fn found_summary(clips: &[Clip]) -> serde_json::Value {
    let mut per: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
    for c in clips {
        *per.entry(c.corpus.name().to_string())
            .or_default()
            .entry(c.emotion.name())
            .or_default() += 1;
    }
    json!({"clips": clips.len(), "per_corpus": per, "calm": "RAVDESS calm is folded into neutral"})
}

//! `train`: features for every clip, the protocols (the shipped model, (c), (b), (a) by
//! default; (d) on request), and the shipped model with its metadata and confusion images.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use speech_emotion::Emotion;
use speech_emotion::features::FeatureConfig;
use speech_emotion::input::Normalization;
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::Ensemble;
use speech_emotion::segment::WindowConfig;

use super::calibrate::calibrate_model;
use crate::calibration::PRIOR_CORRECTION;
use crate::corpus::{Clip, Corpus, scan};
use crate::dataset::{Example, PrepareOptions, prepare};
use crate::leave_out::without_corpus;
use crate::loco::leave_one_corpus_out;
use crate::plot::confusion_png;
use crate::protocol::Protocol;
use crate::run::{Setup, run_many, run_name};
use crate::set_size::DRAWS;
use crate::shipping::{add_figures, write_model};

mod options;

pub use options::Args;
use options::configs;

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let features = FeatureConfig::default();
    let window = WindowConfig::default();
    // Settings are checked before any clip is read: a bad flag fails at once.
    let (model_config, train_config) = configs(&args, &features)?;
    let figures_name = outer_fold_name(&args)?;
    let clips = load_clips(&args)?;
    let examples = extract(&args, &clips, &features, &window)?;
    let (clips, examples) = match args.leave_out {
        Some(corpus) => {
            eprintln!(
                "{} set aside: the outer fold of a nested (d)",
                corpus.name()
            );
            without_corpus(clips, examples, corpus)
        }
        None => (clips, examples),
    };
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
        weight_grid_bits: (args.half_precision && args.weight_grid_bits > 0)
            .then_some(args.weight_grid_bits),
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
        drop_frame_rows: args.drop_frame_rows,
        corpus_normalisation: args.corpus_normalisation,
        metadata: &metadata,
        set_size_draws: if args.quick { 1 } else { DRAWS },
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
            calibrate_model(&model_json, &clips, args.threads, PRIOR_CORRECTION)?;
        }
        None => {
            add_figures(&args.out, &figures_name, evaluation)?;
        }
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

/// The name the figures are written under: the model's, or with `--leave-out` its own, in a
/// directory that holds no model (whose (d) confusion images it would overwrite).
fn outer_fold_name(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let Some(corpus) = args.leave_out else {
        return Ok(args.name.clone());
    };
    let model = args.out.join(format!("{}.json", args.name));
    if model.exists() {
        return Err(format!(
            "--leave-out would overwrite the (d) confusion images beside {}: give --out another directory",
            model.display()
        )
        .into());
    }
    Ok(format!(
        "{}-without-{}",
        args.name,
        corpus.name().to_lowercase()
    ))
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

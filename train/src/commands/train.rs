//! `train`: features for every clip, the three protocols, and the shipped model (protocol (c)'s)
//! with its metadata and confusion-matrix image.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use burn::module::Module;
use serde_json::json;
use speech_emotion::Emotion;
use speech_emotion::features::{FeatureConfig, Matrix};
use speech_emotion::input::{InputKind, Normalization};
use speech_emotion::metadata::ModelMetadata;
use speech_emotion::model::{EmotionCnn, Ensemble, MAX_MEMBERS, ModelConfig};
use speech_emotion::segment::WindowConfig;

use crate::corpus::{Clip, scan};
use crate::dataset::{Example, PrepareOptions, prepare};
use crate::evaluation::{Outcome, evaluate_clips, grouped_reports};
use crate::metrics::Report;
use crate::plot::confusion_png;
use crate::protocol::{Protocol, Role, clip_roles, summary, window_roles};
use crate::training::{Sample, TrainConfig, train};
use speech_emotion::classifier::{batch_probabilities, cpu};

/// Arguments of the `train` command.
#[derive(clap::Args)]
pub struct Args {
    /// Data root to walk for RAVDESS, TESS, SAVEE and CREMA-D clips.
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
    /// Protocols to run, in order; the shipped model is protocol (c)'s.
    #[arg(long, value_delimiter = ',', default_values = ["c", "b", "a"])]
    protocols: Vec<Protocol>,
    /// The small quick configuration the tests use: a dozen clips per speaker, few epochs.
    #[arg(long)]
    quick: bool,
    /// Worker threads for feature extraction.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Remove each window's mean from its spectral rows (MFCC or log-mel: cepstral mean
    /// normalisation), as the shipped model does; `--centre-mfcc false` trains without it.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    centre_mfcc: bool,
    /// The spectral rows of the input: `log-mel` (64 bands, the shipped model's) or `mfcc`
    /// (20 coefficients, the seed's).
    #[arg(long, default_value = "log-mel", value_parser = parse_input)]
    input: InputKind,
    /// Learning rate at the start of the cosine schedule.
    #[arg(long, default_value_t = 2e-3)]
    learning_rate: f64,
    /// Networks trained per protocol, from seeds `seed`, `seed + 1`, ...; the model averages
    /// their probabilities.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=MAX_MEMBERS as i64))]
    members: u16,
    /// Largest random move of the log-mel bands during training, in bands (a voice higher or
    /// lower than the training voices); 0 turns it off. Not used with `--input mfcc`.
    #[arg(long, default_value_t = 3)]
    band_shift: usize,
    /// Output channels of the three convolution blocks.
    #[arg(long, value_delimiter = ',', default_values_t = [32, 64, 64])]
    channels: Vec<usize>,
}

fn parse_input(value: &str) -> Result<InputKind, String> {
    serde_json::from_value(json!(value)).map_err(|_| format!("`{value}`: expected mfcc or log-mel"))
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = Instant::now();
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
    let features = FeatureConfig::default();
    let window = WindowConfig::default();
    let cache = (!args.no_cache).then_some(args.cache.as_path());
    let prepared = prepare(
        &clips,
        &PrepareOptions {
            features: &features,
            window: &window,
            input: args.input,
            augment: true,
            seed: args.seed,
            cache_dir: cache,
            threads: args.threads,
        },
    );
    for (path, reason) in &prepared.failed {
        eprintln!("skipped unreadable clip {}: {reason}", path.display());
    }
    let examples = prepared.examples;
    let frames = examples
        .first()
        .ok_or("no clip gave a speech window")?
        .input
        .cols;
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
    let model_config = ModelConfig::new(args.input.channels(&features))
        .with_members(members)
        .with_channels(channels);
    model_config.check()?;
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
        band_shift: if args.input == InputKind::LogMel {
            args.band_shift
        } else {
            0
        },
        bands_from: 2,
    };
    let metadata_for = |normalization: Normalization| ModelMetadata {
        name: args.name.clone(),
        classes: Emotion::ALL.iter().map(|e| e.name().to_string()).collect(),
        features: features.clone(),
        window: window.clone(),
        input: args.input,
        frames,
        normalization,
        model: model_config.clone(),
        half_precision: false,
        training: serde_json::Value::Null,
        evaluation: serde_json::Value::Null,
    };

    let mut evaluation = serde_json::Map::new();
    let mut shipped = None;
    std::fs::create_dir_all(&args.out)?;
    for &protocol in &args.protocols {
        eprintln!("\n=== {} ===", protocol.describe());
        let protocol_start = Instant::now();
        let (roles_of_windows, clip_roles) = match protocol {
            Protocol::A => (window_roles(examples.len(), args.seed), None),
            _ => {
                let roles = clip_roles(protocol, &clips, args.seed);
                (
                    examples.iter().map(|e| roles[e.clip]).collect(),
                    Some(roles),
                )
            }
        };
        let train_windows: Vec<&Example> = examples
            .iter()
            .zip(&roles_of_windows)
            .filter(|(_, r)| **r == Role::Train)
            .map(|(e, _)| e)
            .collect();
        let normalization = Normalization::fit(
            train_windows.iter().map(|e| &e.input),
            args.centre_mfcc.then_some(2),
        );
        let normalized: Vec<Matrix> = examples
            .iter()
            .map(|e| {
                let mut m = e.input.clone();
                normalization.apply(&mut m);
                m
            })
            .collect();
        let samples = |role: Role, originals_only: bool| -> Vec<Sample> {
            examples
                .iter()
                .zip(&normalized)
                .zip(&roles_of_windows)
                .filter(|((e, _), r)| **r == role && (!originals_only || e.variant == 0))
                .map(|((e, m), _)| Sample {
                    input: m,
                    label: clips[e.clip].emotion,
                    group: e.clip,
                })
                .collect()
        };
        let train_set = samples(Role::Train, false);
        let valid_set = samples(Role::Valid, protocol != Protocol::A);
        if train_set.is_empty() || valid_set.is_empty() {
            eprintln!(
                "protocol {protocol:?}: not enough data for training and validation, skipped"
            );
            continue;
        }
        eprintln!(
            "training windows {} (clips {}), validation windows {}",
            train_set.len(),
            train_set
                .iter()
                .map(|s| s.group)
                .collect::<std::collections::HashSet<_>>()
                .len(),
            valid_set.len()
        );
        let protocol_name = format!("{protocol:?}").to_lowercase();
        let mut nets: Vec<EmotionCnn> = Vec::new();
        let mut histories = Vec::new();
        for member in 0..members {
            let config = TrainConfig {
                seed: args.seed + member as u64,
                ..train_config.clone()
            };
            let label = format!("({protocol_name}) network {}/{members}", member + 1);
            let (net, history) = train(&model_config, &config, &train_set, &valid_set, &label);
            nets.push(net);
            histories.push(history);
        }

        let metadata = metadata_for(normalization.clone());
        let test = samples(Role::Test, false);
        let test_clips: Vec<&Clip> = clip_roles
            .iter()
            .flat_map(|roles| clips.iter().zip(roles))
            .filter(|(_, r)| **r == Role::Test)
            .map(|(c, _)| c)
            .collect();
        // Windows for protocol (a), whose split mixes copies of clips; whole clips read from
        // their files exactly as `predict` reads them otherwise.
        let score =
            |model: Ensemble| -> Result<(Report, Option<Outcome>), Box<dyn std::error::Error>> {
                if clip_roles.is_none() {
                    let inputs: Vec<&Matrix> = test.iter().map(|s| s.input).collect();
                    let pairs: Vec<(Emotion, Emotion)> =
                        batch_probabilities(&model, &inputs, &cpu())?
                            .iter()
                            .zip(&test)
                            .map(|(p, s)| (s.label, p.top().0))
                            .collect();
                    return Ok((Report::new(&pairs), None));
                }
                let mut metadata = metadata.clone();
                metadata.model.members = model.len();
                let classifier = speech_emotion::Classifier::from_model(model, metadata)?;
                let outcome = evaluate_clips(&classifier, &test_clips);
                Ok((Report::new(&outcome.pairs()), Some(outcome)))
            };
        let valid_inputs: Vec<&Matrix> = valid_set.iter().map(|s| s.input).collect();
        let valid_f1 = |model: &Ensemble| -> Result<f64, Box<dyn std::error::Error>> {
            let pairs: Vec<(Emotion, Emotion)> = batch_probabilities(model, &valid_inputs, &cpu())?
                .iter()
                .zip(&valid_set)
                .map(|(p, s)| (s.label, p.top().0))
                .collect();
            Ok(Report::new(&pairs).macro_f1)
        };
        let mut alone = Vec::new();
        for (i, (net, history)) in nets.iter().zip(&histories).enumerate() {
            let mut network = json!({"seed": args.seed + i as u64, "epochs": history});
            if members > 1 {
                // The network kept is the one of its best validation epoch.
                let valid = history
                    .iter()
                    .map(|e| e.valid_macro_f1)
                    .fold(f64::NEG_INFINITY, f64::max);
                let (report, _) = score(Ensemble::new(vec![net.clone()]).expect("one network"))?;
                eprintln!(
                    "network {}/{members} alone: validation macro-F1 {valid:.3}, test accuracy {:.1} %, macro-F1 {:.3}",
                    i + 1,
                    100.0 * report.accuracy,
                    report.macro_f1
                );
                network["valid_macro_f1"] = json!(valid);
                network["accuracy"] = json!(report.accuracy);
                network["macro_f1"] = json!(report.macro_f1);
            }
            alone.push(network);
        }
        let model = Ensemble::new(nets).ok_or("no network was trained")?;
        let valid = valid_f1(&model)?;
        eprintln!("validation macro-F1 of the {members}-network model: {valid:.3}");
        let mut entry = serde_json::Map::new();
        entry.insert("protocol".into(), json!(protocol.describe()));
        entry.insert("networks".into(), json!(alone));
        entry.insert("valid_macro_f1".into(), json!(valid));
        let (report, outcome) = score(model.clone())?;
        match (&clip_roles, outcome) {
            (Some(roles), Some(outcome)) => {
                entry.insert(
                    "unit".into(),
                    json!("clip, classified from its file exactly as `predict` does"),
                );
                entry.insert("speakers".into(), json!(summary(&clips, roles)));
                let groups = grouped_reports(&outcome);
                eprintln!("{}", groups.0);
                entry.insert("per_corpus".into(), groups.1);
                entry.insert("per_speaker".into(), groups.2);
            }
            _ => {
                entry.insert(
                    "unit".into(),
                    json!("window (augmented copies of test clips also sit in training)"),
                );
            }
        }
        eprintln!("{}\n{}", protocol.describe(), report.table());
        let image = args.out.join(format!(
            "confusion-{}.png",
            format!("{protocol:?}").to_lowercase()
        ));
        confusion_png(&report, protocol.describe(), &image)?;
        entry.insert("report".into(), serde_json::to_value(&report)?);
        entry.insert("seconds".into(), json!(protocol_start.elapsed().as_secs()));
        evaluation.insert(
            format!("{protocol:?}").to_lowercase(),
            serde_json::Value::Object(entry),
        );
        if protocol == Protocol::C {
            shipped = Some((model, metadata));
        }
    }

    let meta_path = args.out.join(format!("{}.json", args.name));
    let Some((model, mut metadata)) = shipped else {
        // Protocols run apart from (c) (e.g. in a second process) add their figures to the
        // shipped model's metadata when it is already there.
        let mut existing: ModelMetadata =
            serde_json::from_str(&std::fs::read_to_string(&meta_path).map_err(|e| {
                format!(
                    "protocol c was not run and there is no {} to add the figures to: {e}",
                    meta_path.display()
                )
            })?)?;
        if let serde_json::Value::Object(map) = &mut existing.evaluation {
            map.extend(evaluation);
        } else {
            existing.evaluation = serde_json::Value::Object(evaluation);
        }
        std::fs::write(&meta_path, serde_json::to_string_pretty(&existing)?)?;
        eprintln!("added the figures to {}", meta_path.display());
        return Ok(ExitCode::SUCCESS);
    };
    if let Ok(text) = std::fs::read_to_string(&meta_path)
        && let Ok(previous) = serde_json::from_str::<ModelMetadata>(&text)
        && let serde_json::Value::Object(map) = previous.evaluation
    {
        for (protocol, figures) in map {
            evaluation.entry(protocol).or_insert(figures);
        }
    }
    metadata.training = json!({
        "data": found_summary(&clips),
        "train_config": train_config,
        "augmentation": format!(
            "per training clip: the original plus 4 copies (noise 10-30 dB SNR, WSOLA stretch 0.8-1.25, pitch ±1-3 semitones, shift ±0.25 s); each epoch sees one random window of one random copy{}",
            if train_config.band_shift > 0 {
                format!(", its log-mel bands moved by a random whole number of bands up to ±{}", train_config.band_shift)
            } else {
                String::new()
            }
        ),
        "quick": args.quick,
        "seconds": started.elapsed().as_secs(),
    });
    metadata.evaluation = serde_json::Value::Object(evaluation);
    let in_memory = speech_emotion::Classifier::from_model(model.clone(), metadata.clone())?;
    let record = model
        .into_record()
        .into_bytes()
        .map_err(|e| format!("{e:?}"))?
        .to_vec();
    let reloaded = speech_emotion::Classifier::new(&record, metadata.clone())?;
    check_reload(&in_memory, &reloaded, &examples)?;
    let record_path = args.out.join(format!("{}.bin", args.name));
    std::fs::write(&record_path, &record)?;
    std::fs::write(&meta_path, serde_json::to_string_pretty(&metadata)?)?;
    eprintln!(
        "\nwrote {} ({} kB), {} and the confusion images in {} after {:.1} min",
        record_path.display(),
        record.len() / 1024,
        meta_path.display(),
        args.out.display(),
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(ExitCode::SUCCESS)
}

/// The record must give back exactly the network that was trained.
fn check_reload(
    in_memory: &speech_emotion::Classifier,
    reloaded: &speech_emotion::Classifier,
    examples: &[Example],
) -> Result<(), Box<dyn std::error::Error>> {
    let inputs: Vec<Matrix> = examples
        .iter()
        .take(32)
        .map(|e| {
            let mut m = e.input.clone();
            in_memory.metadata().normalization.apply(&mut m);
            m
        })
        .collect();
    let before = in_memory.probabilities(&inputs)?;
    let after = reloaded.probabilities(&inputs)?;
    if before != after {
        return Err("the saved record does not reproduce the trained network's predictions".into());
    }
    eprintln!(
        "the saved record reloads with identical predictions on {} windows",
        before.len()
    );
    Ok(())
}

/// A dozen clips per speaker, spread over the speaker's emotions, for the quick configuration.
fn quick_subset(clips: Vec<Clip>, per_speaker: usize) -> Vec<Clip> {
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
        let step = (list.len() / per_speaker).max(1);
        out.extend(list.into_iter().step_by(step).take(per_speaker));
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

//! The `train` command's options, and the network and training settings they ask for.

use std::path::PathBuf;

use serde_json::json;
use speech_emotion::Emotion;
use speech_emotion::features::FeatureConfig;
use speech_emotion::input::InputKind;
use speech_emotion::model::{MAX_MEMBERS, ModelConfig};

use crate::augment::Recipe;
use crate::augment::masking::Masks;
use crate::corpus::Corpus;
use crate::protocol::Protocol;
use crate::training::{Distil, TrainConfig};

/// Arguments of the `train` command.
#[derive(clap::Args)]
pub struct Args {
    /// Data root to walk for RAVDESS, TESS, SAVEE, CREMA-D, nEMO and ASED clips.
    #[arg(long, default_value = "../shared/data")]
    pub(super) data: PathBuf,
    /// Where the model record, metadata and images are written.
    #[arg(long, default_value = "models")]
    pub(super) out: PathBuf,
    /// File stem of the model.
    #[arg(long, default_value = "emotion-cnn")]
    pub(super) name: String,
    /// Maximum epochs per protocol (early stopping may end sooner).
    #[arg(long, default_value_t = 40)]
    pub(super) epochs: usize,
    /// Seed for splits, augmentation, initialisation and batches.
    #[arg(long, default_value_t = 7)]
    pub(super) seed: u64,
    /// Feature cache directory.
    #[arg(long, default_value = "target/feature-cache")]
    pub(super) cache: PathBuf,
    /// Extract the features again instead of using (or writing) the cache.
    #[arg(long)]
    pub(super) no_cache: bool,
    /// Protocols to run, in order: `ship` trains the shipped model (every corpus, validation
    /// speakers aside); `d` (leave one corpus out, one run per corpus) is its own command:
    /// `--protocols d` adds its figures to the shipped model's metadata.
    #[arg(long, value_delimiter = ',', default_values = ["ship", "c", "b", "a"])]
    pub(super) protocols: Vec<Protocol>,
    /// The small quick configuration the tests use: a dozen clips per speaker, few epochs.
    #[arg(long)]
    pub(super) quick: bool,
    /// Worker threads for feature extraction and for training networks side by side (the
    /// networks are the same for any number).
    #[arg(long, default_value_t = crate::commands::all_cores(), value_parser = crate::commands::parse_threads)]
    pub(super) threads: usize,
    /// Remove each window's mean from its spectral rows (MFCC or log-mel: cepstral mean
    /// normalisation), as the shipped model does; `--centre-mfcc false` trains without it.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(super) centre_mfcc: bool,
    /// Also divide each window's centred spectral rows by their standard deviation over the
    /// window (at least 1 dB): the recording's contrast taken away with its envelope.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub(super) scale_bands: bool,
    /// Hold the ZCR and RMS rows at 0 after standardisation, so that the network never sees
    /// them: the ZCR follows the recording's brightness (a microphone's or a room's spectral
    /// tilt), which the per-window centring takes from the bands. The default since session 36
    /// (chosen on nested leave-one-corpus-out, two seeds); `false` keeps the rows.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(super) drop_frame_rows: bool,
    /// Standardise each corpus by its own statistics (corpus normalisation): the training
    /// corpora by their training windows', each corpus's validation speakers by theirs, and
    /// (d)'s held-out corpus by its own (reported as its set-normalised figure). An experiment:
    /// the shipped model standardises every recording by the training set's statistics.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub(super) corpus_normalisation: bool,
    /// Set this corpus aside after extracting the features, as if it were absent: `--protocols
    /// d --leave-out X` is one outer fold of a nested leave-one-corpus-out, whose (d) over the
    /// other corpora validates choices about unheard corpora without touching X
    /// (`scripts/nested_loco.sh` runs all five). Its figures go to
    /// `<out>/<name>-without-<corpus>-figures.json`, never into a model's metadata.
    #[arg(long)]
    pub(super) leave_out: Option<Corpus>,
    /// The rows of the input after ZCR and RMS: `log-mel-pitch` (three prosody rows, namely
    /// periodicity, F0 relative to the window's median and that median, then the 64 log-mel
    /// bands: the shipped model's), `log-mel-pitch-tilt` (those with four rows of the window's
    /// coarse spectral tilt before the bands), `log-mel` (the bands alone) or `mfcc` (20
    /// coefficients, the seed's).
    #[arg(long, default_value = "log-mel-pitch", value_parser = parse_input)]
    pub(super) input: InputKind,
    /// Learning rate at the start of the cosine schedule.
    #[arg(long, default_value_t = 2e-3)]
    pub(super) learning_rate: f64,
    /// L2 penalty on the weights, added to their gradients before Adam's step (coupled weight
    /// decay): a larger value keeps the weights smaller and the network smoother.
    #[arg(long, default_value_t = 1e-4)]
    pub(super) weight_decay: f32,
    /// Networks trained per protocol, from seeds `seed`, `seed + 1`, ...; the model averages
    /// their probabilities. The shipped model is one wider network (README: it won on the
    /// validation speakers against two narrower ones of the same size).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=MAX_MEMBERS as i64))]
    pub(super) members: u16,
    /// Largest random move of the log-mel bands during training, in bands (a voice higher or
    /// lower than the training voices); 0 turns it off. Not used with `--input mfcc`.
    #[arg(long, default_value_t = 3)]
    pub(super) band_shift: usize,
    /// Output channels of the three convolution blocks.
    #[arg(long, value_delimiter = ',', default_values_t = [48, 96, 96])]
    pub(super) channels: Vec<usize>,
    /// Dropout after each convolution block, then before the classifier (each below 1): more
    /// of it is a regulariser that costs no weight and no time in the page.
    #[arg(long, value_delimiter = ',', default_values_t = [0.15, 0.3])]
    pub(super) dropout: Vec<f64>,
    /// Draw every corpus equally often in an epoch (`--epoch-size` windows), so a large corpus
    /// of two speakers does not outweigh one of seventy (the shipped model's: higher on corpora
    /// never heard, lower on new speakers of corpora heard, README); off, every clip once.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(super) balance_corpora: bool,
    /// Windows drawn per epoch when balancing the corpora.
    #[arg(long, default_value_t = 4500)]
    pub(super) epoch_size: usize,
    /// Compute each clip's loss over the classes its corpus records only, so a corpus without
    /// disgust does not teach that its voices never carry it (the shipped model's).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(super) mask_absent_classes: bool,
    /// The augmented copies: `seed` (noise, stretch, pitch, shift; the shipped model's) or
    /// `channel` (the same, each through a random room, equaliser, telephone line, gain and
    /// noise or babble).
    #[arg(long, default_value = "seed")]
    pub(super) augment: Recipe,
    /// Pool each window over time with learned attention (a weight per frame) instead of the
    /// plain mean, beside the maximum.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub(super) attention_pooling: bool,
    /// A 2D convolution over the log-mel image before the Conv1d blocks, with this many 3 × 3
    /// maps, each pooled over runs of 4 bands (`src/image.rs`; the shipped model's 4 won on the
    /// validation speakers); 0 trains without.
    #[arg(long, default_value_t = 4)]
    pub(super) image_maps: usize,
    /// Convolutions in the image front: 1, 2 (a second 3 × 3 convolution over the pooled maps,
    /// which then see 12 bands at once; the shipped model's 2 won on the validation speakers) or
    /// 3 (a third over the second's maps). [default: 2 with an image front; an error without
    /// one]
    #[arg(long)]
    pub(super) image_layers: Option<usize>,
    /// Strength of a corpus adversary: a small network learns which corpus each window comes
    /// from and the emotion network is trained against it (gradient reversal), to forget the
    /// rooms and languages it was trained on; 0 (the default) trains without it.
    #[arg(long, default_value_t = 0.0)]
    pub(super) adversarial_weight: f32,
    /// Mixup: each training window blended with another of its batch (and its target the same
    /// way), the partner's share drawn up to this (at most 0.5); 0 (the default) trains without.
    #[arg(long, default_value_t = 0.0)]
    pub(super) mixup: f32,
    /// MixStyle: at this chance per batch, the feature maps after the first and second blocks
    /// take a mix of their own statistics over time and another window's (at most 1); 0 (the
    /// default) trains without.
    #[arg(long, default_value_t = 0.0)]
    pub(super) mix_style: f32,
    /// SpecAugment: each training window loses two runs of up to this many adjacent log-mel
    /// bands (set to the training mean); 0 (the default) trains without.
    #[arg(long, default_value_t = 0)]
    pub(super) band_mask: usize,
    /// SpecAugment: each training window loses two runs of up to this many frames; 0 (the
    /// default) trains without.
    #[arg(long, default_value_t = 0)]
    pub(super) frame_mask: usize,
    /// Label smoothing: this share of every target spread over the classes the window may have
    /// (at most 0.3; the shipped model's 0.1 won on the validation speakers); 0 trains on the
    /// plain labels.
    #[arg(long, default_value_t = 0.1)]
    pub(super) label_smoothing: f32,
    /// Risk extrapolation (V-REx): each batch's loss is the mean of its corpora's mean losses
    /// plus this weight (ramped up over training) times their variance, so that no training
    /// corpus is fitted at the others' expense; 0 (the default) trains on the plain loss.
    /// Refused with --mixup.
    #[arg(long, default_value_t = 0.0)]
    pub(super) risk_variance: f32,
    /// Weight averaging (SWA): each network becomes the mean of its weights over every epoch
    /// from this share of the epochs on (0.5: the second half), its batch-norm statistics
    /// measured again on training batches; without it (the default), the best validation
    /// epoch's network.
    #[arg(long)]
    pub(super) average_from: Option<f64>,
    /// Classes a corpus records but is not taught from, as `corpus:emotion` (`ased:sad`, comma
    /// separated): its training clips of that class are set aside and the class leaves its
    /// windows' loss, as for a class it lacks; its validation and test clips stay. An
    /// experiment for a corpus whose acted class sounds like another class elsewhere.
    #[arg(long, value_delimiter = ',', value_parser = crate::corpus::corpus_class)]
    pub(super) untaught: Vec<(Corpus, Emotion)>,
    /// Distillation: each run first trains this many teacher networks (seeds from --seed plus
    /// 100), then its own networks learn from the teachers' averaged probabilities as well as
    /// from the labels, so that one network may answer as several do; 0 (the default) trains
    /// on the labels alone. At most 8.
    #[arg(long, default_value_t = 0)]
    pub(super) teachers: usize,
    /// With --teachers, the share of the loss taken against the teachers' answer (above 0, at
    /// most 1; default 0.5), the rest against the labels.
    #[arg(long)]
    pub(super) distil_weight: Option<f32>,
    /// Store the weights in half precision (f16): half the record the page downloads; the
    /// saved model must answer within 0.05 of every probability of the trained one.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub(super) half_precision: bool,
    /// With half precision, also round each weight tensor per channel to a grid of this many
    /// bits (power-of-two steps, exact in f16), which gzip stores in about that many bits per
    /// weight; 0 keeps full f16. The shipped model's 9 bits changed 0.3 % of its answers over
    /// every clip of the corpora, and no probability by more than 0.026 (README).
    #[arg(long, default_value_t = 9, value_parser = crate::commands::half::parse_grid_bits)]
    pub(super) weight_grid_bits: u32,
}

fn parse_input(value: &str) -> Result<InputKind, String> {
    serde_json::from_value(json!(value)).map_err(|_| {
        format!("`{value}`: expected mfcc, log-mel, log-mel-pitch or log-mel-pitch-tilt")
    })
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
pub(super) fn configs(
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
    let [block_dropout, head_dropout]: [f64; 2] =
        args.dropout.as_slice().try_into().map_err(|_| {
            format!(
                "--dropout takes two shares, after the blocks then before the classifier, got {:?}",
                args.dropout
            )
        })?;
    let model_config = ModelConfig::new(args.input.channels(features))
        .with_members(members)
        .with_channels(channels)
        .with_block_dropout(block_dropout)
        .with_head_dropout(head_dropout)
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
    if !(0.0..=1.0).contains(&args.mix_style) {
        return Err(format!(
            "--mix-style is a chance per batch, between 0 (off) and 1, got {}",
            args.mix_style
        )
        .into());
    }
    if !(0.0..=100.0).contains(&args.risk_variance) {
        return Err(format!(
            "--risk-variance is the weight of the corpora's loss variance, between 0 (off) and 100, got {}",
            args.risk_variance
        )
        .into());
    }
    if args.risk_variance > 0.0 && args.mixup > 0.0 {
        return Err(
            "--risk-variance needs each window's own loss, which mixup blends with a partner's: \
             use one or the other"
                .into(),
        );
    }
    if !(0.0..=0.3).contains(&args.label_smoothing) {
        return Err(format!(
            "--label-smoothing is a share of the target, between 0 (off) and 0.3, got {}",
            args.label_smoothing
        )
        .into());
    }
    if !(0.0..=0.01).contains(&args.weight_decay) {
        return Err(format!(
            "--weight-decay is an L2 penalty between 0 (off) and 0.01, got {}",
            args.weight_decay
        )
        .into());
    }
    if args.corpus_normalisation && args.protocols.iter().any(|&p| p != Protocol::D) {
        return Err(
            "--corpus-normalisation is an experiment of protocol (d) alone (add --protocols d): \
             the shipped model standardises each recording by the training set's statistics"
                .into(),
        );
    }
    if args.leave_out.is_some() && args.protocols != [Protocol::D] {
        return Err(
            "--leave-out is for protocol (d) alone (add --protocols d): a model trained \
             without a corpus is never shipped"
                .into(),
        );
    }
    if let Some(share) = args.average_from
        && !(0.0..1.0).contains(&share)
    {
        return Err(format!(
            "--average-from is the share of the epochs where averaging starts, from 0 to below 1, got {share}"
        )
        .into());
    }
    let distil = distillation(args)?;
    let train_config = TrainConfig {
        epochs: if args.quick {
            args.epochs.min(3)
        } else {
            args.epochs
        },
        batch_size: 32,
        learning_rate: args.learning_rate,
        weight_decay: args.weight_decay,
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
        mix_style: args.mix_style,
        masks: Masks {
            bands: if args.input.has_bands() {
                args.band_mask
            } else {
                0
            },
            frames: args.frame_mask,
        },
        label_smoothing: args.label_smoothing,
        risk_variance: args.risk_variance,
        average_from: args.average_from,
        untaught: args.untaught.clone(),
        distil,
    };
    Ok((model_config, train_config))
}

/// `--teachers` and `--distil-weight` checked, as the run's [`Distil`] (`None`: no teachers).
fn distillation(args: &Args) -> Result<Option<Distil>, Box<dyn std::error::Error>> {
    if args.teachers > 8 {
        return Err(format!("--teachers is at most 8, got {}", args.teachers).into());
    }
    match (args.teachers, args.distil_weight) {
        (0, None) => Ok(None),
        (0, Some(_)) => Err("--distil-weight needs --teachers N: without teachers there is \
                              nothing to distil"
            .into()),
        (_, Some(weight)) if !(weight > 0.0 && weight <= 1.0) => Err(format!(
            "--distil-weight is the teachers' share of the loss, above 0 and at most 1, got {weight}"
        )
        .into()),
        (teachers, weight) => Ok(Some(Distil {
            teachers,
            weight: weight.unwrap_or(0.5),
        })),
    }
}

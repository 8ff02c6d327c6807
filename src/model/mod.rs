//! The architecture: a small 1D CNN over time. Each input channel is one feature (ZCR, RMS and the
//! log-mel bands or MFCCs) and each step one frame of a fixed window. Optionally a 2D front end
//! over the log-mel image ([`ImageFront`]), then three Conv1d blocks (batch norm, ReLU, max
//! pooling, dropout), average and max pooling over time, so the decision rests on the whole
//! window, and a linear layer to the seven classes. The model is an [`Ensemble`] of one or more
//! such networks trained from different seeds.

use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::pool::{MaxPool1d, MaxPool1dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig1d, Relu,
};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use crate::dropout::dropout;
use crate::emotion::Emotion;
use crate::image::ImageFront;

/// Shape of the network; stored in the model metadata so a record is always rebuilt as trained.
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    /// Feature channels per frame.
    pub in_channels: usize,
    /// Output channels of the three conv blocks.
    #[config(default = "[32, 64, 64]")]
    pub channels: [usize; 3],
    /// Kernel sizes of the three conv blocks.
    #[config(default = "[5, 3, 3]")]
    pub kernels: [usize; 3],
    /// Dropout after each block.
    #[config(default = 0.15)]
    pub block_dropout: f64,
    /// Dropout before the classifier.
    #[config(default = 0.3)]
    pub head_dropout: f64,
    /// Networks trained apart (other seeds) whose probabilities are averaged.
    #[config(default = 1)]
    pub members: usize,
    /// Pool over time with learned attention (a score per frame, softmax over the window)
    /// instead of the plain mean, beside the maximum. An `Option` because Burn's configs only
    /// read a missing field as `None`: metadata from before it has none, and means off.
    pub attention_pooling: Option<bool>,
    /// A 2D convolution over the log-mel image before the blocks ([`ImageFront`]), as `[maps,
    /// first band row]`; `None` (as in metadata from before it) means none.
    pub image: Option<[usize; 2]>,
    /// The image front's convolutions: 1 to 3 (the second over the pooled maps, the third over
    /// the second's); `None` (as in metadata from before it) means 1.
    pub image_layers: Option<usize>,
}

/// The most members a model may have: each one costs a forward pass per window.
pub const MAX_MEMBERS: usize = 16;

/// Bounds on a network's shape, far above any model worth shipping to a page: metadata past them
/// is refused before any weight is allocated.
pub const MAX_CHANNELS: usize = 1024;
/// The longest kernel accepted (see [`MAX_CHANNELS`]).
pub const MAX_KERNEL: usize = 31;

/// The smallest number of frames the network accepts: three halvings must leave one frame.
pub const MIN_FRAMES: usize = 8;

/// Conv1d (same padding) -> batch norm -> ReLU -> max pool by 2 -> dropout.
#[derive(Module, Debug)]
pub struct ConvBlock {
    conv: Conv1d,
    norm: BatchNorm,
    activation: Relu,
    pool: MaxPool1d,
    dropout: Dropout,
}

impl ConvBlock {
    fn new(c_in: usize, c_out: usize, kernel: usize, dropout: f64, device: &Device) -> Self {
        Self {
            conv: Conv1dConfig::new(c_in, c_out, kernel)
                .with_padding(PaddingConfig1d::Same)
                .init(device),
            norm: BatchNormConfig::new(c_out).init(device),
            activation: Relu::new(),
            pool: MaxPool1dConfig::new(2).init(),
            dropout: DropoutConfig::new(dropout).init(),
        }
    }

    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = self
            .activation
            .forward(self.norm.forward(conv_same(&self.conv, x)));
        dropout(&self.dropout, self.pool.forward(x))
    }
}

/// The same output as `conv.forward(x)` for a stride-1, odd-kernel, same-padded Conv1d, computed
/// as one matrix product over the stacked shifted inputs (im2col). Burn's ndarray backend runs
/// convolutions (and their gradients) as direct loops; as a product the network trains and
/// classifies several times faster, on the same parameters and record.
fn conv_same(conv: &Conv1d, x: Tensor<3>) -> Tensor<3> {
    let [batch, c_in, frames] = x.dims();
    let weight = conv.weight.val();
    let [c_out, _, kernel] = weight.dims();
    let half = kernel / 2;
    let device = x.device();
    let padded = Tensor::cat(
        vec![
            Tensor::zeros([batch, c_in, half], &device),
            x,
            Tensor::zeros([batch, c_in, half], &device),
        ],
        2,
    );
    let shifted: Vec<Tensor<3>> = (0..kernel)
        .map(|j| padded.clone().narrow(2, j, frames))
        .collect();
    let columns: Tensor<3> = Tensor::stack::<4>(shifted, 2).reshape([batch, c_in * kernel, frames]);
    let out = weight.reshape([1, c_out, c_in * kernel]).matmul(columns);
    match &conv.bias {
        Some(bias) => out + bias.val().reshape([1, c_out, 1]),
        None => out,
    }
}

/// The emotion classifier network.
#[derive(Module, Debug)]
pub struct EmotionCnn {
    /// The 2D front end over the log-mel image, when configured.
    image: Option<ImageFront>,
    blocks: Vec<ConvBlock>,
    /// Scores each frame of the last block's output for attention pooling, when configured.
    attention: Option<Linear>,
    dropout: Dropout,
    head: Linear,
}

impl ModelConfig {
    /// Why this shape cannot be built, if it cannot: the convolutions pad both sides equally,
    /// which needs odd kernels.
    pub fn check(&self) -> Result<(), String> {
        let mut counts = std::iter::once(self.in_channels).chain(self.channels);
        if counts.any(|c| c == 0 || c > MAX_CHANNELS) {
            return Err(format!(
                "channel counts must be 1 to {MAX_CHANNELS}, got {} then {:?}",
                self.in_channels, self.channels
            ));
        }
        if let Some(k) = self
            .kernels
            .iter()
            .find(|k| *k % 2 == 0 || **k > MAX_KERNEL)
        {
            return Err(format!(
                "kernel sizes must be odd and at most {MAX_KERNEL}, got {k}"
            ));
        }
        for (name, p) in [("block", self.block_dropout), ("head", self.head_dropout)] {
            if !(0.0..1.0).contains(&p) {
                return Err(format!("{name} dropout must be in [0, 1), got {p}"));
            }
        }
        if let Some([maps, bands_from]) = self.image {
            ImageFront::check(maps, self.front_layers(), self.in_channels, bands_from)?;
        }
        if !(1..=MAX_MEMBERS).contains(&self.members) {
            return Err(format!(
                "an ensemble needs 1 to {MAX_MEMBERS} members, got {}",
                self.members
            ));
        }
        Ok(())
    }

    /// Builds every member with fresh parameters (the shape a record is loaded into).
    pub fn init_ensemble(&self, device: &Device) -> Ensemble {
        Ensemble {
            members: (0..self.members.max(1))
                .map(|_| self.init(device))
                .collect(),
        }
    }

    /// Convolutions in the image front, if it has one.
    pub fn front_layers(&self) -> usize {
        self.image_layers.unwrap_or(1)
    }

    /// Width of [`EmotionCnn::embed`]'s summary: the mean and maximum of the last block's channels.
    pub fn embedding_width(&self) -> usize {
        2 * self.channels[2]
    }

    /// Builds one network with fresh parameters on `device`.
    pub fn init(&self, device: &Device) -> EmotionCnn {
        let mut c_in = match self.image {
            Some([maps, bands_from]) => {
                ImageFront::out_channels(maps, self.in_channels, bands_from)
            }
            None => self.in_channels,
        };
        let blocks = self
            .channels
            .iter()
            .zip(self.kernels)
            .map(|(&c_out, kernel)| {
                let block = ConvBlock::new(c_in, c_out, kernel, self.block_dropout, device);
                c_in = c_out;
                block
            })
            .collect();
        EmotionCnn {
            image: self.image.map(|[maps, bands_from]| {
                ImageFront::new(maps, bands_from, self.front_layers(), device)
            }),
            blocks,
            attention: (self.attention_pooling == Some(true))
                .then(|| LinearConfig::new(self.channels[2], 1).init(device)),
            dropout: DropoutConfig::new(self.head_dropout).init(),
            head: LinearConfig::new(self.embedding_width(), Emotion::COUNT).init(device),
        }
    }
}

impl EmotionCnn {
    /// `[batch, channels, frames]` -> logits `[batch, 7]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        self.classify(self.embed(x))
    }

    /// `[batch, channels, frames]` -> the window's summary `[batch, 2 × last channels]`: the
    /// mean (or the attention-weighted mean) and the maximum over time of the last block's
    /// output, what the classifier reads.
    pub fn embed(&self, x: Tensor<3>) -> Tensor<2> {
        self.embed_restyled(x, |x| x)
    }

    /// [`embed`](Self::embed) with `restyle` applied to the output of every block but the last
    /// before the next block reads it: the place for a training-time change of the feature
    /// maps' statistics (MixStyle), which needs no parameter and leaves the record unchanged.
    pub fn embed_restyled(
        &self,
        mut x: Tensor<3>,
        mut restyle: impl FnMut(Tensor<3>) -> Tensor<3>,
    ) -> Tensor<2> {
        if let Some(front) = &self.image {
            x = front.forward(x);
        }
        let last = self.blocks.len().saturating_sub(1);
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(x);
            if i < last {
                x = restyle(x);
            }
        }
        let mean: Tensor<2> = match &self.attention {
            Some(score) => {
                let scores = score.forward(x.clone().swap_dims(1, 2)).swap_dims(1, 2);
                (x.clone() * softmax(scores, 2)).sum_dim(2).squeeze_dim(2)
            }
            None => x.clone().mean_dim(2).squeeze_dim(2),
        };
        let max: Tensor<2> = x.max_dim(2).squeeze_dim(2);
        Tensor::cat(vec![mean, max], 1)
    }

    /// A summary from [`embed`](Self::embed) -> logits `[batch, 7]`.
    pub fn classify(&self, embedding: Tensor<2>) -> Tensor<2> {
        self.head.forward(dropout(&self.dropout, embedding))
    }

    /// `[batch, channels, frames]` -> class probabilities `[batch, 7]`.
    pub fn probabilities(&self, x: Tensor<3>) -> Tensor<2> {
        softmax(self.forward(x), 1)
    }
}

/// Networks of one shape trained from different seeds; the model answers with the mean of their
/// probabilities. A single network's accuracy on new speakers moves by several points with its
/// seed alone; in every trial of the README the mean scored above its networks' average.
#[derive(Module, Debug)]
pub struct Ensemble {
    members: Vec<EmotionCnn>,
}

impl Ensemble {
    /// An ensemble of trained networks; `None` without any.
    pub fn new(members: Vec<EmotionCnn>) -> Option<Self> {
        (!members.is_empty()).then_some(Self { members })
    }

    /// The member networks.
    pub fn into_members(self) -> Vec<EmotionCnn> {
        self.members
    }

    /// Number of member networks (at least one).
    #[allow(clippy::len_without_is_empty)] // never empty: `new` refuses that
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// `[batch, channels, frames]` -> mean class probabilities of the members `[batch, 7]`.
    pub fn probabilities(&self, x: Tensor<3>) -> Tensor<2> {
        let (first, rest) = self
            .members
            .split_first()
            .expect("`new` refuses no members");
        let sum = rest.iter().fold(first.probabilities(x.clone()), |sum, m| {
            sum + m.probabilities(x.clone())
        });
        sum / self.members.len() as f32
    }
}

#[cfg(test)]
mod tests;

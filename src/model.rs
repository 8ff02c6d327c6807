//! The architecture: a small 1D CNN over time. Each input channel is one feature (ZCR, RMS and the
//! MFCCs) and each step one frame of a fixed window. Three Conv1d blocks (batch norm, ReLU, max
//! pooling, dropout) then average and max pooling over time, so the decision rests on the whole
//! window, and a linear layer to the seven classes.

use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::pool::{MaxPool1d, MaxPool1dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig1d, Relu,
};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use crate::emotion::Emotion;

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
}

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
            .forward(self.norm.forward(self.conv.forward(x)));
        self.dropout.forward(self.pool.forward(x))
    }
}

/// The emotion classifier network.
#[derive(Module, Debug)]
pub struct EmotionCnn {
    blocks: Vec<ConvBlock>,
    dropout: Dropout,
    head: Linear,
}

impl ModelConfig {
    /// Builds the network with fresh parameters on `device`.
    pub fn init(&self, device: &Device) -> EmotionCnn {
        let mut c_in = self.in_channels;
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
            blocks,
            dropout: DropoutConfig::new(self.head_dropout).init(),
            head: LinearConfig::new(2 * c_in, Emotion::COUNT).init(device),
        }
    }
}

impl EmotionCnn {
    /// `[batch, channels, frames]` -> logits `[batch, 7]`.
    pub fn forward(&self, mut x: Tensor<3>) -> Tensor<2> {
        for block in &self.blocks {
            x = block.forward(x);
        }
        let mean: Tensor<2> = x.clone().mean_dim(2).squeeze_dim(2);
        let max: Tensor<2> = x.max_dim(2).squeeze_dim(2);
        self.head
            .forward(self.dropout.forward(Tensor::cat(vec![mean, max], 1)))
    }

    /// `[batch, channels, frames]` -> class probabilities `[batch, 7]`.
    pub fn probabilities(&self, x: Tensor<3>) -> Tensor<2> {
        softmax(self.forward(x), 1)
    }
}

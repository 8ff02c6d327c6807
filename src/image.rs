//! An optional 2D front end for the network: a 3 × 3 convolution over the log-mel image (bands ×
//! frames), batch norm and ReLU, then the maximum over each run of [`BAND_POOL`] adjacent bands;
//! optionally a second 3 × 3 convolution (batch norm, ReLU) over the pooled maps, which then see
//! 12 bands at once, and a third over its output (20 bands). The maps, flattened back to rows,
//! join the rows before the bands (ZCR, RMS, prosody) as the first Conv1d block's input. A
//! pattern learnt at one pitch or formant position is recognised a few bands higher or lower,
//! which a Conv1d over all bands at once has to learn band by band.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Relu};
use burn::prelude::*;

/// Adjacent bands whose maximum one output row keeps.
pub const BAND_POOL: usize = 4;

/// The largest number of feature maps accepted from metadata.
pub const MAX_MAPS: usize = 64;

/// The most convolution layers the front may have.
pub const MAX_LAYERS: usize = 3;

/// The convolution over the log-mel image (see the module documentation).
#[derive(Module, Debug)]
pub struct ImageFront {
    conv: Conv2d,
    norm: BatchNorm,
    activation: Relu,
    /// The maximum over runs of [`BAND_POOL`] bands (Burn's pooling: its gradient is three times
    /// faster than a `max_dim` over a reshaped axis, and the same).
    pool: MaxPool2d,
    /// The second layer over the pooled maps, if the front has two.
    second: Option<PooledLayer>,
    /// The third layer over the second's maps, if the front has three.
    third: Option<PooledLayer>,
    /// The first band row of the input: the rows before it pass through untouched.
    bands_from: usize,
}

/// A 3 × 3 convolution from the pooled maps to as many maps, batch norm and ReLU.
#[derive(Module, Debug)]
pub struct PooledLayer {
    conv: Conv2d,
    norm: BatchNorm,
    activation: Relu,
}

impl PooledLayer {
    fn new(maps: usize, device: &Device) -> Self {
        Self {
            conv: Conv2dConfig::new([maps, maps], [3, 3]).init(device),
            norm: BatchNormConfig::new(maps).init(device),
            activation: Relu::new(),
        }
    }
}

impl ImageFront {
    /// `maps` feature maps over the rows from `bands_from` on, with `layers` convolutions (1 to
    /// 3: the second reads the pooled maps, the third the second's).
    pub fn new(maps: usize, bands_from: usize, layers: usize, device: &Device) -> Self {
        Self {
            conv: Conv2dConfig::new([1, maps], [3, 3]).init(device),
            norm: BatchNormConfig::new(maps).init(device),
            activation: Relu::new(),
            pool: MaxPool2dConfig::new([BAND_POOL, 1])
                .with_strides([BAND_POOL, 1])
                .init(),
            second: (layers > 1).then(|| PooledLayer::new(maps, device)),
            third: (layers > 2).then(|| PooledLayer::new(maps, device)),
            bands_from,
        }
    }

    /// Rows of the output for `in_channels` input rows: the rows before the bands, then each
    /// map's pooled bands.
    pub fn out_channels(maps: usize, in_channels: usize, bands_from: usize) -> usize {
        bands_from + maps * (in_channels - bands_from) / BAND_POOL
    }

    /// Why a front of `layers` convolutions with `maps` maps cannot read `in_channels` rows, if
    /// it cannot.
    pub fn check(
        maps: usize,
        layers: usize,
        in_channels: usize,
        bands_from: usize,
    ) -> Result<(), String> {
        let bands = in_channels.saturating_sub(bands_from);
        if !(1..=MAX_MAPS).contains(&maps) {
            return Err(format!(
                "the image front needs 1 to {MAX_MAPS} maps, got {maps}"
            ));
        }
        if !(1..=MAX_LAYERS).contains(&layers) {
            return Err(format!(
                "the image front has 1 to {MAX_LAYERS} layers, got {layers}"
            ));
        }
        if bands == 0 || !bands.is_multiple_of(BAND_POOL) {
            return Err(format!(
                "the image front pools bands by {BAND_POOL}: {bands} bands from row {bands_from} \
                 of {in_channels} do not divide"
            ));
        }
        Ok(())
    }

    /// `[batch, rows, frames]` -> `[batch, out_channels, frames]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [batch, rows, frames] = x.dims();
        let bands = rows - self.bands_from;
        let head = x.clone().narrow(1, 0, self.bands_from);
        let image = x
            .narrow(1, self.bands_from, bands)
            .reshape([batch, 1, bands, frames]);
        let maps = self
            .activation
            .forward(self.norm.forward(conv3x3_same(&self.conv, image)));
        let mut pooled = self.pool.forward(maps);
        for layer in [&self.second, &self.third].into_iter().flatten() {
            pooled = layer
                .activation
                .forward(layer.norm.forward(conv3x3_same(&layer.conv, pooled)));
        }
        let [_, count, _, _] = pooled.dims();
        let pooled: Tensor<3> = pooled.reshape([batch, count * bands / BAND_POOL, frames]);
        Tensor::cat(vec![head, pooled], 1)
    }
}

/// The output of a stride-1, zero-padded 3 × 3 `conv` as one matrix product over the nine
/// shifted inputs (as `model/mod.rs` does for Conv1d: the ndarray backend's direct convolution loops
/// are several times slower). `[batch, c, h, w]` -> `[batch, maps, h, w]`.
fn conv3x3_same(conv: &Conv2d, image: Tensor<4>) -> Tensor<4> {
    let [batch, channels, height, width] = image.dims();
    let weight = conv.weight.val();
    let [maps, _, _, _] = weight.dims();
    let device = image.device();
    let rows = Tensor::zeros([batch, channels, 1, width], &device);
    let padded = Tensor::cat(vec![rows.clone(), image, rows], 2);
    let columns = Tensor::zeros([batch, channels, height + 2, 1], &device);
    let padded = Tensor::cat(vec![columns.clone(), padded, columns], 3);
    let shifted: Vec<Tensor<4>> = (0..3)
        .flat_map(|i| (0..3).map(move |j| (i, j)))
        .map(|(i, j)| padded.clone().narrow(2, i, height).narrow(3, j, width))
        .collect();
    // Rows ordered by shift, then input channel; the weight `[maps, c, 3, 3]` likewise.
    let columns = Tensor::cat(shifted, 1).reshape([batch, 9 * channels, height * width]);
    let weight = if channels == 1 {
        weight.reshape([1, maps, 9])
    } else {
        weight
            .permute([0, 2, 3, 1])
            .reshape([1, maps, 9 * channels])
    };
    let out = weight.matmul(columns);
    let out = match &conv.bias {
        Some(bias) => out + bias.val().reshape([1, maps, 1]),
        None => out,
    };
    out.reshape([batch, maps, height, width])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::cpu;
    use burn::nn::PaddingConfig2d;
    use burn::tensor::Distribution;

    #[test]
    fn matrix_product_convolution_equals_burns() {
        let device = cpu();
        for channels in [1, 3] {
            let conv = Conv2dConfig::new([channels, 5], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(&device);
            let x = Tensor::<4>::random(
                [3, channels, 12, 9],
                Distribution::Normal(0.0, 1.0),
                &device,
            );
            let expected = conv.forward(x.clone());
            let got = conv3x3_same(&conv, x);
            assert_eq!(got.dims(), expected.dims());
            let diff: f32 = (got - expected).abs().max().into_scalar();
            assert!(
                diff < 1e-5,
                "{channels} channels: largest difference {diff}"
            );
        }
    }

    #[test]
    fn rows_before_the_bands_pass_and_bands_are_pooled() {
        let device = cpu();
        let front = ImageFront::new(3, 2, 1, &device);
        let x = Tensor::<3>::random([2, 2 + 8, 7], Distribution::Normal(0.0, 1.0), &device);
        let y = front.forward(x.clone());
        assert_eq!(y.dims(), [2, ImageFront::out_channels(3, 10, 2), 7]);
        assert_eq!(ImageFront::out_channels(3, 10, 2), 2 + 3 * 2);
        let passed: f32 = (y.clone().narrow(1, 0, 2) - x.narrow(1, 0, 2))
            .abs()
            .max()
            .into_scalar();
        assert_eq!(passed, 0.0, "ZCR and RMS rows are not touched");
        let smallest: f32 = y.clone().narrow(1, 2, 6).min().into_scalar();
        assert!(smallest >= 0.0, "maps after ReLU are not negative");
        let maps = Tensor::<4>::random([2, 3, 8, 7], Distribution::Normal(0.0, 1.0), &device);
        let by_hand = maps.clone().reshape([2, 6, BAND_POOL, 7]).max_dim(2);
        let pooled = front.pool.forward(maps).reshape([2, 6, 1, 7]);
        let diff: f32 = (pooled - by_hand).abs().max().into_scalar();
        assert_eq!(
            diff, 0.0,
            "each row is its map's maximum over 4 adjacent bands"
        );
    }

    #[test]
    fn a_network_with_the_front_classifies_and_old_metadata_has_none() {
        let device = cpu();
        let config = crate::model::ModelConfig::new(2 + 8)
            .with_channels([4, 4, 4])
            .with_image(Some([3, 2]));
        let x = Tensor::<3>::random([3, 10, 16], Distribution::Normal(0.0, 1.0), &device);
        for layers in [None, Some(2), Some(3)] {
            let config = config.clone().with_image_layers(layers);
            assert!(config.check().is_ok());
            let p = config.init(&device).probabilities(x.clone());
            assert_eq!(p.dims(), [3, crate::Emotion::COUNT]);
            let sums: Vec<f32> = p.sum_dim(1).into_data().try_to_vec().unwrap();
            assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5), "{sums:?}");
        }
        assert!(config.clone().with_image_layers(Some(4)).check().is_err());
        assert!(config.with_image(Some([3, 3])).check().is_err());
        let old: crate::model::ModelConfig = serde_json::from_str(
            r#"{"in_channels": 69, "channels": [32, 64, 64],
            "kernels": [5, 3, 3], "block_dropout": 0.15, "head_dropout": 0.3, "members": 2}"#,
        )
        .unwrap();
        assert_eq!(old.image, None, "metadata from before the front");
        assert_eq!(
            old.image_layers, None,
            "metadata from before the second layer"
        );
    }

    #[test]
    fn bad_shapes_are_refused() {
        assert!(ImageFront::check(8, 1, 69, 5).is_ok());
        assert!(ImageFront::check(8, 2, 69, 5).is_ok());
        assert!(
            ImageFront::check(8, 1, 70, 5)
                .unwrap_err()
                .contains("divide")
        );
        assert!(ImageFront::check(0, 1, 69, 5).is_err());
        assert!(ImageFront::check(8, 1, 5, 5).is_err());
        assert!(
            ImageFront::check(8, 0, 69, 5)
                .unwrap_err()
                .contains("layers")
        );
        assert!(ImageFront::check(8, 3, 69, 5).is_ok());
        assert!(
            ImageFront::check(8, 4, 69, 5)
                .unwrap_err()
                .contains("layers")
        );
    }
}

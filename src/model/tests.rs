use super::*;
use crate::classifier::cpu;
use burn::tensor::Distribution;

#[test]
fn matrix_product_convolution_equals_burns() {
    let device = cpu();
    for (c_in, c_out, kernel, frames) in [(66, 32, 5, 126), (32, 64, 3, 63), (3, 4, 3, 8)] {
        let conv = Conv1dConfig::new(c_in, c_out, kernel)
            .with_padding(PaddingConfig1d::Same)
            .init(&device);
        let x = Tensor::<3>::random([4, c_in, frames], Distribution::Normal(0.0, 1.0), &device);
        let expected = conv.forward(x.clone());
        let got = conv_same(&conv, x);
        assert_eq!(got.dims(), expected.dims());
        let diff: f32 = (got - expected).abs().max().into_scalar();
        assert!(diff < 1e-4, "largest difference {diff}");
    }
}

#[test]
fn matrix_product_convolution_has_burns_gradients() {
    let device = cpu().autodiff();
    for (c_in, c_out, kernel) in [(6, 4, 5), (4, 3, 3)] {
        let conv = Conv1dConfig::new(c_in, c_out, kernel)
            .with_padding(PaddingConfig1d::Same)
            .init(&device);
        let x = Tensor::<3>::random([2, c_in, 16], Distribution::Normal(0.0, 1.0), &device)
            .require_grad();
        let burns = conv.forward(x.clone()).powf_scalar(2.0).sum().backward();
        let ours = conv_same(&conv, x.clone())
            .powf_scalar(2.0)
            .sum()
            .backward();
        let pairs = [
            (
                x.grad(&burns).unwrap().reshape([-1]),
                x.grad(&ours).unwrap().reshape([-1]),
            ),
            (
                conv.weight.val().grad(&burns).unwrap().reshape([-1]),
                conv.weight.val().grad(&ours).unwrap().reshape([-1]),
            ),
        ];
        for (expected, got) in pairs {
            let diff: f32 = (got - expected).abs().max().into_scalar();
            assert!(diff < 1e-3, "largest gradient difference {diff}");
        }
    }
}

#[test]
fn ensemble_averages_its_members() {
    let device = cpu();
    let config = ModelConfig::new(6).with_members(2);
    let ensemble = config.init_ensemble(&device);
    assert_eq!(ensemble.len(), 2);
    let x = Tensor::<3>::random([3, 6, 16], Distribution::Normal(0.0, 1.0), &device);
    let each: Vec<Tensor<2>> = ensemble
        .members
        .iter()
        .map(|m| m.probabilities(x.clone()))
        .collect();
    assert!(
        (each[0].clone() - each[1].clone())
            .abs()
            .max()
            .into_scalar::<f32>()
            > 1e-6,
        "two members with fresh parameters should differ"
    );
    let mean = (each[0].clone() + each[1].clone()) / 2.0;
    let diff: f32 = (ensemble.probabilities(x) - mean).abs().max().into_scalar();
    assert!(diff < 1e-6, "largest difference {diff}");
}

#[test]
fn attention_pooling_weighs_frames_and_keeps_the_summary_width() {
    let device = cpu();
    let plain = ModelConfig::new(6).with_channels([4, 4, 4]);
    let attending = plain.clone().with_attention_pooling(Some(true));
    let net = attending.init(&device);
    let x = Tensor::<3>::random([3, 6, 16], Distribution::Normal(0.0, 1.0), &device);
    assert_eq!(
        net.embed(x.clone()).dims(),
        [3, attending.embedding_width()]
    );
    assert_eq!(net.probabilities(x).dims(), [3, Emotion::COUNT]);
    assert!(plain.init(&device).attention.is_none());
    let shipped = r#"{"in_channels": 66, "channels": [32, 64, 64], "kernels": [5, 3, 3],
        "block_dropout": 0.15, "head_dropout": 0.3, "members": 2}"#;
    let old: ModelConfig = serde_json::from_str(shipped).unwrap();
    assert_eq!(
        old.attention_pooling, None,
        "metadata from before attention pooling"
    );
}

#[test]
fn even_kernels_are_refused() {
    let config = ModelConfig::new(10).with_kernels([5, 4, 3]);
    assert!(config.check().unwrap_err().contains("odd"));
    assert!(ModelConfig::new(10).check().is_ok());
    assert!(ModelConfig::new(10).with_members(0).check().is_err());
    assert!(ModelConfig::new(10).with_head_dropout(1.0).check().is_err());
    assert!(
        ModelConfig::new(10)
            .with_channels([32, 1 << 20, 64])
            .check()
            .is_err()
    );
    assert!(
        ModelConfig::new(10)
            .with_kernels([5, 101, 3])
            .check()
            .is_err()
    );
    assert!(Ensemble::new(Vec::new()).is_none());
}

#[test]
fn restyling_sees_every_block_output_but_the_last_and_identity_changes_nothing() {
    let device = cpu();
    let net = ModelConfig::new(6).with_channels([4, 5, 6]).init(&device);
    let x = Tensor::<3>::random([3, 6, 16], Distribution::Normal(0.0, 1.0), &device);
    let mut seen = Vec::new();
    let restyled = net.embed_restyled(x.clone(), |maps| {
        seen.push(maps.dims());
        maps
    });
    assert_eq!(seen, [[3, 4, 8], [3, 5, 4]], "after blocks 1 and 2");
    let diff: f32 = (restyled.clone() - net.embed(x.clone()))
        .abs()
        .max()
        .into_scalar();
    assert_eq!(diff, 0.0);
    let zeroed = net.embed_restyled(x, |maps| maps.zeros_like());
    let diff: f32 = (zeroed - restyled).abs().max().into_scalar();
    assert!(
        diff > 0.0,
        "what the hook returns is what the next block reads"
    );
}

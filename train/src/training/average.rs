//! Weight averaging (SWA, Izmailov et al. 2018; SWAD, Cha et al. 2021 for domains never seen):
//! their argument is that the mean of a network's weights over its later epochs lies in a
//! flatter region of the loss than any one epoch's, which should hold better on voices and
//! rooms outside training (here it did not: README). The
//! batch-norm statistics of the mean are then measured again on training batches, as the mean
//! of each epoch's statistics need not match the averaged weights.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;
use speech_emotion::model::EmotionCnn;

/// The running sum of a network's float tensors (weights and batch-norm statistics), in the
/// order the module visits them.
#[derive(Default)]
pub(super) struct WeightAverage {
    sums: Vec<Vec<f32>>,
    count: usize,
}

/// Adds each visited tensor to the sum at its position.
struct Accumulate<'s> {
    sums: &'s mut Vec<Vec<f32>>,
    next: usize,
}

impl ModuleVisitor for Accumulate<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let values = param
            .val()
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>();
        let values = values.expect("f32 data after conversion");
        match self.sums.get_mut(self.next) {
            Some(sum) => sum.iter_mut().zip(&values).for_each(|(s, v)| *s += v),
            None => self.sums.push(values),
        }
        self.next += 1;
    }
}

/// Replaces each visited tensor by the sum at its position divided by the count.
struct Divide<'s> {
    sums: &'s [Vec<f32>],
    count: f32,
    next: usize,
}

impl ModuleMapper for Divide<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let sum = &self.sums[self.next];
        self.next += 1;
        let count = self.count;
        param.map(|tensor| {
            let mean: Vec<f32> = sum.iter().map(|s| s / count).collect();
            Tensor::from_data(TensorData::new(mean, tensor.shape()), &tensor.device())
        })
    }
}

impl WeightAverage {
    /// Adds one epoch's network (inference mode) to the average.
    pub fn add(&mut self, net: &EmotionCnn) {
        net.visit(&mut Accumulate {
            sums: &mut self.sums,
            next: 0,
        });
        self.count += 1;
    }

    /// How many networks were added.
    pub fn count(&self) -> usize {
        self.count
    }

    /// `like` (a network of the same shape) with the mean of the added networks' tensors, or
    /// `None` when none was added.
    pub fn mean(&self, like: EmotionCnn) -> Option<EmotionCnn> {
        (self.count > 0).then(|| {
            like.map(&mut Divide {
                sums: &self.sums,
                count: self.count as f32,
                next: 0,
            })
        })
    }
}

/// Measures the batch-norm statistics of `net` again: its training-mode forward passes over
/// `batches` (on an autodiff device) update the running means and variances with each layer's
/// momentum, no weight changes; returns the network in inference mode.
pub(super) fn refresh_batch_norm(
    net: EmotionCnn,
    batches: impl IntoIterator<Item = Tensor<3>>,
) -> EmotionCnn {
    let net = net.train();
    for inputs in batches {
        let _ = net.forward(inputs);
    }
    net.valid()
}

#[cfg(test)]
mod tests {
    use speech_emotion::classifier::cpu;
    use speech_emotion::model::ModelConfig;

    use super::*;

    fn values(net: &EmotionCnn) -> Vec<Vec<f32>> {
        let mut average = WeightAverage::default();
        average.add(net);
        average.sums
    }

    #[test]
    fn the_mean_of_two_networks_is_halfway_between_them() {
        let device = cpu();
        let config = ModelConfig::new(6).with_channels([4, 4, 4]);
        let (a, b) = (config.init(&device), config.init(&device));
        let mut average = WeightAverage::default();
        average.add(&a);
        average.add(&b);
        assert_eq!(average.count(), 2);
        let mean = average.mean(a.clone()).expect("two networks added");
        let (va, vb, vm) = (values(&a), values(&b), values(&mean));
        assert_eq!(vm.len(), va.len());
        let mut differing = 0;
        for ((ta, tb), tm) in va.iter().zip(&vb).zip(&vm) {
            for ((x, y), m) in ta.iter().zip(tb).zip(tm) {
                assert!(
                    (m - (x + y) / 2.0).abs() < 1e-6,
                    "{m} is not the mean of {x} and {y}"
                );
                differing += (x != y) as usize;
            }
        }
        assert!(
            differing > 100,
            "the two networks barely differ: {differing}"
        );
    }

    #[test]
    fn no_network_gives_no_mean() {
        let net = ModelConfig::new(6).with_channels([4, 4, 4]).init(&cpu());
        assert!(WeightAverage::default().mean(net).is_none());
    }

    #[test]
    fn refreshing_batch_norm_moves_its_statistics_towards_the_batches() {
        let device = cpu();
        let net = ModelConfig::new(6).with_channels([4, 4, 4]).init(&device);
        let before = values(&net.valid());
        let inputs = Tensor::<3>::ones([8, 6, 16], &device.autodiff()) * 5.0;
        let refreshed = refresh_batch_norm(net.valid(), vec![inputs; 3]);
        let after = values(&refreshed);
        let moved: Vec<bool> = before.iter().zip(&after).map(|(b, a)| b != a).collect();
        assert!(moved.iter().any(|&m| m), "no statistic moved");
        assert!(
            moved.iter().any(|&m| !m),
            "weights moved too, not only the statistics"
        );
    }
}

//! Inference: a loaded model plus everything needed to turn samples into a [`Prediction`]. The
//! same code runs natively (`predict`, `evaluate`) and in the browser.

use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use crate::among::Among;
use crate::audio::resample;
use crate::emotion::Emotion;
use crate::error::{Error, Result};
use crate::features::{FeatureExtractor, Matrix};
use crate::input::{Normalization, window_features};
use crate::metadata::ModelMetadata;
use crate::model::{Ensemble, MIN_FRAMES};
use crate::parallel::map_in_order;
use crate::prediction::{Prediction, Probabilities, Segment};
use crate::segment::Windowing;

/// Windows classified per forward pass: bounds memory on long recordings.
const BATCH: usize = 16;

/// The CPU device inference runs on.
#[allow(deprecated)] // burn 0.22 steers towards its `flex` backend; we ship the ndarray one.
pub fn cpu() -> Device {
    Device::ndarray()
}

/// A model ready to classify recordings.
pub struct Classifier {
    model: Ensemble,
    metadata: ModelMetadata,
    extractor: FeatureExtractor,
    device: Device,
    among: Among,
}

impl Classifier {
    /// Builds the network described by `metadata` and loads the weights of a record.
    pub fn new(record: &[u8], metadata: ModelMetadata) -> Result<Self> {
        if metadata.classes.len() != Emotion::COUNT
            || metadata
                .classes
                .iter()
                .zip(Emotion::ALL)
                .any(|(name, e)| name != e.name())
        {
            return Err(Error::Model(format!(
                "the model's classes {:?} are not the seven this program knows",
                metadata.classes
            )));
        }
        if metadata.frames < MIN_FRAMES {
            return Err(Error::Model(format!(
                "a window of {} frames is shorter than the network's minimum of {MIN_FRAMES}",
                metadata.frames
            )));
        }
        check_shape(&metadata)?;
        let device = cpu();
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
            .map_err(|e| Error::Model(format!("{e:?}")))?
            .cast_to_module_dtype();
        let model = metadata
            .model
            .init_ensemble(&device)
            .try_load_record(record)
            .map_err(|e| {
                Error::Model(format!(
                    "the record does not fit the metadata's network of {} member(s): {e}",
                    metadata.model.members
                ))
            })?;
        let extractor = FeatureExtractor::new(metadata.features.clone())?;
        Ok(Self {
            model,
            metadata,
            extractor,
            device,
            among: Among::ALL,
        })
    }

    /// Wraps an already built network (the trainer's path, before anything is written).
    pub fn from_model(model: Ensemble, metadata: ModelMetadata) -> Result<Self> {
        check_shape(&metadata)?;
        if model.len() != metadata.model.members {
            return Err(Error::Model(format!(
                "{} networks given for a model of {} members",
                model.len(),
                metadata.model.members
            )));
        }
        let extractor = FeatureExtractor::new(metadata.features.clone())?;
        Ok(Self {
            model,
            metadata,
            extractor,
            device: cpu(),
            among: Among::ALL,
        })
    }

    /// The model's metadata.
    pub fn metadata(&self) -> &ModelMetadata {
        &self.metadata
    }

    /// The model's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.metadata.features.sr
    }

    /// Classifies mono samples at any rate (resampled here with the library's resampler).
    pub fn classify(&self, samples: Vec<f32>, sample_rate: u32) -> Result<Prediction> {
        crate::features::check_samples(&samples)?;
        let samples = resample(samples, sample_rate, self.sample_rate())?;
        self.classify_resampled(&samples)
    }

    /// Classifies mono samples already at the model's rate, `BATCH` windows at a time: beside
    /// the samples, only one batch of windows and the timeline are ever held.
    pub fn classify_resampled(&self, samples: &[f32]) -> Result<Prediction> {
        self.classify_resampled_on(samples, 1)
    }

    /// [`Self::classify_resampled`] with the batches spread over `threads` threads (native
    /// only; the page has one): each thread holds one batch of windows at a time, and the
    /// answer is the same as on one thread.
    pub fn classify_resampled_on(&self, samples: &[f32], threads: usize) -> Result<Prediction> {
        crate::features::check_samples(samples)?;
        let sr = self.sample_rate();
        let plan = Windowing::new(samples, sr, &self.metadata.window);
        let mut timeline: Vec<Segment> = plan
            .spans()
            .iter()
            .map(|span| {
                let (start, end) = plan.times(span);
                Segment {
                    start,
                    end,
                    emotion: None,
                    probabilities: None,
                    uncertain: false,
                }
            })
            .collect();
        let speech: Vec<usize> = (0..plan.spans().len())
            .filter(|&i| plan.spans()[i].speech)
            .collect();
        let batches: Vec<&[usize]> = speech.chunks(BATCH).collect();
        let answers = map_in_order(&batches, threads, |_, batch| {
            let inputs = batch
                .iter()
                .map(|&i| self.input(&plan.samples(&plan.spans()[i])))
                .collect::<Result<Vec<_>>>()?;
            self.probabilities(&inputs)
        });
        for (batch, answer) in batches.iter().zip(answers) {
            for (&i, p) in batch.iter().zip(answer?) {
                timeline[i].emotion = Some(p.top().0);
                timeline[i].probabilities = Some(p);
            }
        }
        Ok(Prediction::from_timeline(
            timeline,
            samples.len() as f32 / sr as f32,
            |p| self.unsure(p),
        ))
    }

    /// Whether an answer with these probabilities is too close to call (never without a
    /// calibration).
    pub fn unsure(&self, p: &Probabilities) -> bool {
        self.metadata
            .calibration
            .as_ref()
            .is_some_and(|c| c.unsure(p))
    }

    /// The normalised model input of one window of samples.
    pub fn input(&self, window: &[f32]) -> Result<Matrix> {
        let mut m = self.raw_input(window)?;
        self.metadata.normalization.apply(&mut m);
        Ok(m)
    }

    /// The model input of one window before normalisation: what a set's own statistics are
    /// measured on.
    pub fn raw_input(&self, window: &[f32]) -> Result<Matrix> {
        let m = window_features(&self.extractor, window, self.metadata.input)?;
        if m.cols != self.metadata.frames {
            return Err(Error::Model(format!(
                "a window gave {} frames, the model expects {}",
                m.cols, self.metadata.frames
            )));
        }
        Ok(m)
    }

    /// The raw inputs of every speech window of mono samples at the model's rate, the windows
    /// [`Self::classify_resampled`] classifies.
    pub fn speech_inputs(&self, samples: &[f32]) -> Result<Vec<Matrix>> {
        crate::features::check_samples(samples)?;
        let plan = Windowing::new(samples, self.sample_rate(), &self.metadata.window);
        plan.spans()
            .iter()
            .filter(|span| span.speech)
            .map(|span| self.raw_input(&plan.samples(span)))
            .collect()
    }

    /// A second classifier over the same network (its weights shared, not copied) that
    /// standardises its input by `normalization` instead (a set of recordings by its own
    /// statistics); refused if its channels do not fit the network.
    pub fn with_normalization(&self, normalization: Normalization) -> Result<Self> {
        let metadata = ModelMetadata {
            normalization,
            ..self.metadata.clone()
        };
        check_shape(&metadata)?;
        Ok(Self {
            model: self.model.clone(),
            extractor: FeatureExtractor::new(metadata.features.clone())?,
            metadata,
            device: self.device.clone(),
            among: self.among,
        })
    }

    /// Draws every later answer from `among` only (each window's probabilities conditioned on
    /// those classes: [`Among::restrict`]); [`Among::ALL`] gives the plain answers back.
    pub fn answer_among(&mut self, among: Among) {
        self.among = among;
    }

    /// Class probabilities of normalised inputs, in batches, calibrated when the model has a
    /// calibration, and restricted to the classes answers are drawn from.
    pub fn probabilities(&self, inputs: &[Matrix]) -> Result<Vec<Probabilities>> {
        let refs: Vec<&Matrix> = inputs.iter().collect();
        let raw = batch_probabilities(&self.model, &refs, &self.device)?;
        Ok(raw
            .iter()
            .map(|p| match &self.metadata.calibration {
                Some(c) => c.apply(p),
                None => *p,
            })
            .map(|p| self.among.restrict(&p))
            .collect())
    }
}

/// The network's shape must be buildable and agree with the input it is given, and a
/// calibration's prior must be a distribution, so that a bad metadata file is an error here
/// rather than a panic or nonsense in the first forward pass.
fn check_shape(metadata: &ModelMetadata) -> Result<()> {
    metadata.model.check().map_err(Error::Model)?;
    if let Some(calibration) = &metadata.calibration {
        calibration.check().map_err(Error::Model)?;
    }
    let channels = metadata.input.channels(&metadata.features);
    let n = &metadata.normalization;
    if metadata.model.in_channels != channels || n.mean.len() != channels || n.std.len() != channels
    {
        return Err(Error::Model(format!(
            "the input has {channels} channels, the network takes {} and the normalisation has {} means and {} deviations",
            metadata.model.in_channels,
            n.mean.len(),
            n.std.len()
        )));
    }
    Ok(())
}

/// Class probabilities of normalised inputs with any ensemble (the trainer's too), `BATCH`
/// windows per forward pass.
pub fn batch_probabilities(
    model: &Ensemble,
    inputs: &[&Matrix],
    device: &Device,
) -> Result<Vec<Probabilities>> {
    let mut out = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(BATCH) {
        let (rows, cols) = (chunk[0].rows, chunk[0].cols);
        if cols < MIN_FRAMES {
            return Err(Error::TooShort {
                samples: cols,
                needed: MIN_FRAMES,
            });
        }
        let data: Vec<f32> = chunk.iter().flat_map(|m| m.data.iter().copied()).collect();
        let x = Tensor::<3>::from_data(TensorData::new(data, [chunk.len(), rows, cols]), device);
        let p: Vec<f32> = model
            .probabilities(x)
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| Error::Model(format!("{e:?}")))?;
        for row in p.chunks_exact(Emotion::COUNT) {
            let mut probabilities = [0.0; Emotion::COUNT];
            probabilities.copy_from_slice(row);
            out.push(Probabilities(probabilities));
        }
    }
    Ok(out)
}

//! The browser API: a thin wasm-bindgen layer over the same library the native tools use. Every
//! failure reaches JavaScript as an `Error` with a readable message; inputs are checked before
//! they reach code that could panic.

use js_sys::Float32Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::audio::{DecodeOptions, decode_bytes, load_bytes};
use crate::emotion::Emotion;
use crate::prediction::{Prediction, Probabilities};
use crate::set::SetMeasure;

/// Longest audio the page accepts by default: 30 minutes.
const BROWSER_MAX_SECONDS: f64 = 30.0 * 60.0;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A result as a plain JavaScript object: written as JSON by serde_json (a crate the wasm already
/// holds, for the metadata) and read by the browser's own parser, which took less code than
/// serde-wasm-bindgen's conversion field by field.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let json = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|_| JsError::new("could not build the result"))
}

fn error(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// The shipped model, loaded once, and the set of files being standardised together.
#[wasm_bindgen]
pub struct Classifier {
    inner: crate::Classifier,
    /// The set being measured, between `startSet` and `useSet`.
    measuring: Option<SetMeasure>,
    /// The network standardising by the last set measured, after `useSet`.
    standardised: Option<crate::Classifier>,
}

#[wasm_bindgen]
impl Classifier {
    /// Loads the embedded model record and metadata.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Classifier, JsError> {
        Ok(Self {
            inner: crate::state::shipped().map_err(error)?,
            measuring: None,
            standardised: None,
        })
    }

    /// Classifies mono samples at `sampleRate` Hz: `{emotion, confidence, probabilities,
    /// timeline, duration}`; `emotion` is null when no speech was found.
    pub fn classify(&self, samples: &Float32Array, sample_rate: f64) -> Result<JsValue, JsError> {
        if !(sample_rate.is_finite() && (1.0..=768_000.0).contains(&sample_rate)) {
            return Err(JsError::new(&format!(
                "unsupported sample rate: {sample_rate} Hz"
            )));
        }
        let samples = samples.to_vec();
        let seconds = samples.len() as f64 / sample_rate;
        if seconds > BROWSER_MAX_SECONDS {
            return Err(error(crate::Error::TooLong {
                seconds,
                limit: BROWSER_MAX_SECONDS,
            }));
        }
        let prediction = self
            .inner
            .classify(samples, sample_rate.round() as u32)
            .map_err(error)?;
        to_js(&prediction)
    }

    /// Decodes a file's bytes (WAV, AIFF, FLAC, MP3) and classifies it in one
    /// stream: decoding feeds the resampler packet by packet and windows are classified a batch
    /// at a time, so beside the bytes only the audio at the model's rate is held. Refuses audio
    /// over `maxSeconds` (default 30 minutes). With `inSet`, the file is standardised by the
    /// statistics of the set `useSet` took (an error if there is none).
    #[wasm_bindgen(js_name = classifyFile)]
    pub fn classify_file(
        &self,
        bytes: Vec<u8>,
        max_seconds: Option<f64>,
        in_set: Option<bool>,
    ) -> Result<JsValue, JsError> {
        let classifier = if in_set == Some(true) {
            self.standardised
                .as_ref()
                .ok_or_else(|| JsError::new("no set has been measured to standardise by"))?
        } else {
            &self.inner
        };
        let (audio, _) =
            load_bytes(bytes, classifier.sample_rate(), limit(max_seconds)).map_err(error)?;
        to_js(
            &classifier
                .classify_resampled(&audio.samples)
                .map_err(error)?,
        )
    }

    /// Starts measuring a new set of files from one source (forgetting any earlier set).
    #[wasm_bindgen(js_name = startSet)]
    pub fn start_set(&mut self) {
        self.measuring = Some(SetMeasure::new(&self.inner));
        self.standardised = None;
    }

    /// Adds a file's speech windows to the set being measured: returns how many it held.
    #[wasm_bindgen(js_name = measureForSet)]
    pub fn measure_for_set(
        &mut self,
        bytes: Vec<u8>,
        max_seconds: Option<f64>,
    ) -> Result<usize, JsError> {
        let set = self
            .measuring
            .as_mut()
            .ok_or_else(|| JsError::new("no set is being measured: call startSet first"))?;
        let (audio, _) =
            load_bytes(bytes, self.inner.sample_rate(), limit(max_seconds)).map_err(error)?;
        set.add(&self.inner, &audio.samples).map_err(error)
    }

    /// Ends the measurement: later `classifyFile(…, true)` calls standardise by the set's
    /// statistics. Returns the set's speech windows; a set under the minimum is an error and
    /// leaves no set to use.
    #[wasm_bindgen(js_name = useSet)]
    pub fn use_set(&mut self) -> Result<usize, JsError> {
        let set = self
            .measuring
            .take()
            .ok_or_else(|| JsError::new("no set is being measured: call startSet first"))?;
        self.standardised = Some(set.standardise(&self.inner).map_err(error)?);
        Ok(set.windows())
    }

    /// Draws every later answer from the emotions named (at least two; `[]` for all seven):
    /// each window's probabilities are conditioned on them ([`crate::Among`]), in plain and
    /// standardised answers alike. Returns the classes now answered among; an unknown name or
    /// fewer than two is an error and changes nothing.
    #[wasm_bindgen(js_name = answerAmong)]
    pub fn answer_among(&mut self, names: Vec<String>) -> Result<Vec<String>, JsError> {
        let among = if names.is_empty() {
            crate::Among::ALL
        } else {
            crate::Among::parse(&names).map_err(error)?
        };
        self.inner.answer_among(among);
        if let Some(standardised) = self.standardised.as_mut() {
            standardised.answer_among(among);
        }
        Ok(among
            .classes()
            .iter()
            .map(|e| e.name().to_string())
            .collect())
    }

    /// Balances the answers of a set of files from one source over the set
    /// ([`crate::set::balance_answers`]): `probabilities` holds each file's seven probabilities
    /// (files with speech only) one after another, in the classes' order. Returns each file's
    /// balanced `{emotion, confidence, probabilities, uncertain, runner_up}` in the same order; a
    /// set too small, or probabilities that are not distributions, are an error.
    #[wasm_bindgen(js_name = balanceSet)]
    pub fn balance_set(&self, probabilities: &Float32Array) -> Result<JsValue, JsError> {
        let values = probabilities.to_vec();
        let count = Emotion::COUNT;
        let valid = values.len().is_multiple_of(count)
            && values
                .iter()
                .all(|v| v.is_finite() && (0.0..=1.0).contains(v))
            && values
                .chunks(count)
                .all(|p| (p.iter().sum::<f32>() - 1.0).abs() < 1e-3);
        if !valid {
            return Err(JsError::new(&format!(
                "balancing needs each file's {count} probabilities summing to 1, one file after another"
            )));
        }
        let unsure = |p: &Probabilities| self.inner.unsure(p);
        let mut answers: Vec<Prediction> = values
            .chunks(count)
            .map(|p| {
                let p = Probabilities(std::array::from_fn(|k| p[k]));
                Prediction::of_probabilities(p, unsure)
            })
            .collect();
        let mut refs: Vec<&mut Prediction> = answers.iter_mut().collect();
        crate::set::balance_answers(&self.inner, &mut refs).map_err(error)?;
        to_js(&answers)
    }
}

/// Decoding options with the caller's length limit, or the page's default.
fn limit(max_seconds: Option<f64>) -> DecodeOptions {
    DecodeOptions {
        max_duration_s: max_seconds
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(BROWSER_MAX_SECONDS),
    }
}

/// Size of the WebAssembly linear memory in bytes: its high-water mark, since it never shrinks
/// (the benchmark reads it after classifying long files).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| f64::from(js_sys::ArrayBuffer::from(memory.buffer()).byte_length()))
        .unwrap_or(0.0)
}

/// The shipped model's metadata (classes, feature settings and the honest figures) and the
/// page's `max_seconds`. The embedded JSON goes to the browser's own parser, which builds the
/// object in a fraction of the time that converting a parsed copy field by field took (about
/// 15 ms of the page's start-up). `build.rs` wrote it with serde_json and the library's tests
/// parse it as the metadata the classifier loads.
#[wasm_bindgen(js_name = modelInfo)]
pub fn model_info() -> Result<JsValue, JsError> {
    let info = js_sys::JSON::parse(crate::state::MODEL_METADATA)
        .map_err(|_| JsError::new("the embedded model metadata is not JSON"))?;
    js_sys::Reflect::set(&info, &"max_seconds".into(), &BROWSER_MAX_SECONDS.into())
        .map_err(|_| JsError::new("could not build the model information"))?;
    Ok(info)
}

/// Decodes a file's bytes (WAV, AIFF, FLAC, MP3) to `{samples, sampleRate}` with the
/// same decoder as the native tools, refusing audio over `maxSeconds` (default 30 minutes).
#[wasm_bindgen(js_name = decodeAudio)]
pub fn decode_audio(bytes: Vec<u8>, max_seconds: Option<f64>) -> Result<JsValue, JsError> {
    let audio = decode_bytes(bytes, limit(max_seconds)).map_err(error)?;
    let result = js_sys::Object::new();
    let samples = Float32Array::from(audio.samples.as_slice());
    js_sys::Reflect::set(&result, &"samples".into(), &samples)
        .map_err(|_| JsError::new("could not build the result"))?;
    js_sys::Reflect::set(&result, &"sampleRate".into(), &audio.sample_rate.into())
        .map_err(|_| JsError::new("could not build the result"))?;
    Ok(result.into())
}

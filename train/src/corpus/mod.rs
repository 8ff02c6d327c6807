//! The corpora, recognised by their own file names while walking a data root. Any corpus may be
//! absent; names that fit none are counted, never fatal.

mod names;
mod scan;

use std::path::PathBuf;

use speech_emotion::Emotion;

pub use names::parse;
pub use scan::{Scan, audio_files, scan};

/// The corpora the loaders understand.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, clap::ValueEnum,
)]
pub enum Corpus {
    /// RAVDESS speech, `Actor_NN/03-01-EE-II-SS-RR-AA.*`.
    Ravdess,
    /// TESS, `OAF_*` / `YAF_*`.
    Tess,
    /// SAVEE, `DC|JE|JK|KL_<e>NN` (or `DC/<e>NN` as the original release nests them).
    Savee,
    /// CREMA-D, `NNNN_SSS_EMO_LV`.
    CremaD,
    /// nEMO (Polish), `<SPK>_<emotion>_<n>`; no disgust.
    Nemo,
    /// ASED (Amharic), `<NN><Emotion>/<e><k>-SS-RR-GG-PP`; no disgust, no surprise.
    Ased,
}

impl Corpus {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Corpus::Ravdess => "RAVDESS",
            Corpus::Tess => "TESS",
            Corpus::Savee => "SAVEE",
            Corpus::CremaD => "CREMA-D",
            Corpus::Nemo => "nEMO",
            Corpus::Ased => "ASED",
        }
    }

    /// The classes the corpus records: a clip of it never says anything about the others, so
    /// training computes its loss over these only.
    pub fn classes(self) -> &'static [Emotion] {
        use Emotion::*;
        match self {
            Corpus::Ravdess | Corpus::Tess | Corpus::Savee => &Emotion::ALL,
            Corpus::CremaD => &[Neutral, Happy, Sad, Angry, Fear, Disgust],
            Corpus::Nemo => &[Neutral, Happy, Sad, Angry, Fear, Surprise],
            Corpus::Ased => &[Neutral, Happy, Sad, Angry, Fear],
        }
    }

    /// Every corpus the loaders know, in a fixed order.
    pub const ALL: [Corpus; 6] = [
        Corpus::Ravdess,
        Corpus::Tess,
        Corpus::Savee,
        Corpus::CremaD,
        Corpus::Nemo,
        Corpus::Ased,
    ];
}

/// One labelled clip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    /// Where the audio is.
    pub path: PathBuf,
    /// Which corpus its name belongs to.
    pub corpus: Corpus,
    /// A speaker id unique across corpora, e.g. `ravdess-17`, `savee-KL`.
    pub speaker: String,
    /// The label.
    pub emotion: Emotion,
}

/// A class of a corpus from `corpus:emotion` (`ased:sad`), for options that name one; the
/// corpus must record the class.
pub fn corpus_class(value: &str) -> Result<(Corpus, Emotion), String> {
    let (corpus, emotion) = value
        .split_once(':')
        .ok_or_else(|| format!("`{value}`: expected corpus:emotion, as in ased:sad"))?;
    let corpus = <Corpus as clap::ValueEnum>::from_str(corpus, true)
        .map_err(|_| format!("`{corpus}`: expected ravdess, tess, savee, crema-d, nemo or ased"))?;
    let emotion = Emotion::ALL
        .into_iter()
        .find(|e| e.name().eq_ignore_ascii_case(emotion))
        .ok_or_else(|| {
            format!("`{emotion}`: expected neutral, happy, sad, angry, fear, disgust or surprise")
        })?;
    if !corpus.classes().contains(&emotion) {
        return Err(format!("{} records no {emotion}", corpus.name()));
    }
    Ok((corpus, emotion))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corpus_class_is_read_from_its_names() {
        assert_eq!(corpus_class("ased:sad"), Ok((Corpus::Ased, Emotion::Sad)));
        assert_eq!(
            corpus_class("CREMA-D:Fear"),
            Ok((Corpus::CremaD, Emotion::Fear))
        );
    }

    #[test]
    fn a_bad_corpus_class_says_what_is_wrong() {
        for (value, says) in [
            ("ased", "expected corpus:emotion"),
            ("emodb:sad", "`emodb`: expected ravdess"),
            ("ased:bored", "`bored`: expected neutral"),
            ("ased:surprise", "ASED records no surprise"),
        ] {
            let error = corpus_class(value).unwrap_err();
            assert!(error.contains(says), "{value}: {error}");
        }
    }
}

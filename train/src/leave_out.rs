//! Nested leave-one-corpus-out: a corpus set aside before any protocol runs, so that protocol
//! (d) over the corpora left is a validation figure for choices about unheard corpora that never
//! touches the corpus set aside (Varma & Simon 2006, *Bias in error estimation when using
//! cross-validation for model selection*). The features are extracted for every clip first, so
//! every outer fold reads the same cache and the same augmented copies.

use crate::corpus::{Clip, Corpus};
use crate::dataset::Example;

/// `clips` and `examples` without `corpus`, the examples' clip indices renumbered to match.
pub fn without_corpus(
    clips: Vec<Clip>,
    examples: Vec<Example>,
    corpus: Corpus,
) -> (Vec<Clip>, Vec<Example>) {
    let mut renumbered = vec![None; clips.len()];
    let mut kept = Vec::new();
    for (index, clip) in clips.into_iter().enumerate() {
        if clip.corpus != corpus {
            renumbered[index] = Some(kept.len());
            kept.push(clip);
        }
    }
    let examples = examples
        .into_iter()
        .filter_map(|example| {
            let clip = renumbered.get(example.clip).copied().flatten()?;
            Some(Example { clip, ..example })
        })
        .collect();
    (kept, examples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use speech_emotion::Emotion;
    use speech_emotion::features::Matrix;

    fn clip(corpus: Corpus, name: &str) -> Clip {
        Clip {
            path: name.into(),
            corpus,
            speaker: format!("{}-1", corpus.name()),
            emotion: Emotion::Sad,
        }
    }

    fn example(clip: usize, value: f32) -> Example {
        Example {
            clip,
            variant: 0,
            input: Matrix {
                rows: 1,
                cols: 1,
                data: vec![value],
            },
        }
    }

    #[test]
    fn a_corpus_set_aside_leaves_the_others_windows_on_their_own_clips() {
        let clips = vec![
            clip(Corpus::Savee, "a"),
            clip(Corpus::Nemo, "b"),
            clip(Corpus::Savee, "c"),
            clip(Corpus::Ased, "d"),
        ];
        let examples = vec![
            example(0, 0.0),
            example(1, 1.0),
            example(1, 1.5),
            example(2, 2.0),
            example(3, 3.0),
        ];
        let (clips, examples) = without_corpus(clips, examples, Corpus::Savee);
        let names: Vec<_> = clips.iter().map(|c| c.path.to_str().unwrap()).collect();
        assert_eq!(names, ["b", "d"]);
        let pairs: Vec<(&str, f32)> = examples
            .iter()
            .map(|e| (names[e.clip], e.input.data[0]))
            .collect();
        assert_eq!(pairs, [("b", 1.0), ("b", 1.5), ("d", 3.0)]);
    }
}

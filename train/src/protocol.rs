//! The evaluation protocols and how each one splits the data.
//!
//! (a) the seed's: every clip augmented, then a random 80/20 split of the windows, so copies of
//!     one clip sit on both sides (reported to show what that number is worth);
//! (b) a random 80/20 split of clips, augmenting the training side only;
//! (c) speakers held out: RAVDESS actors 17-20, SAVEE KL, TESS YAF, nEMO KS0 and WR0, ASED
//!     speakers numbered 05, 10, 15, ... (and CREMA-D actors 1082+) are never seen in training;
//! (d) leave one corpus out: for each corpus, train on the others and test on it: a language,
//!     a room and voices never heard. Its mean UAR is the figure that counts.
//!
//! Every protocol but (a) and (b) stops early on the same validation speakers, drawn from each
//! training corpus (see [`validation`]); `ship`, the shipped model, trains on every other clip.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::corpus::{Clip, Corpus};

/// Which protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum Protocol {
    /// The shipped model: every corpus, the validation speakers aside; no test set.
    Ship,
    /// The seed's: augment, then split windows at random.
    A,
    /// Random split of clips, augment training only.
    B,
    /// Speakers held out.
    C,
    /// Leave one corpus out.
    D,
}

impl Protocol {
    pub fn describe(self) -> &'static str {
        match self {
            Protocol::Ship => {
                "shipped model: every corpus, the validation speakers aside for early stopping"
            }
            Protocol::A => "(a) seed's protocol: augment every clip, random 80/20 split of windows",
            Protocol::B => "(b) random 80/20 split of clips, augmentation on training clips only",
            Protocol::C => {
                "(c) speakers held out: RAVDESS 17-20, SAVEE KL, TESS YAF, nEMO KS0 and WR0, ASED speakers 05, 10, 15, ... never trained on"
            }
            Protocol::D => "(d) leave one corpus out: train on the other corpora, test on this one",
        }
    }

    /// The short name used in file names and the metadata (`c`, `d`, `ship`).
    pub fn key(self) -> &'static str {
        match self {
            Protocol::Ship => "ship",
            Protocol::A => "a",
            Protocol::B => "b",
            Protocol::C => "c",
            Protocol::D => "d",
        }
    }
}

/// Where a clip goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Valid,
    Test,
    /// A training-side clip of a class its corpus is not taught from (`--untaught`): neither
    /// trained nor validated on, nor tested.
    Untaught,
}

fn crema_actor(speaker: &str) -> Option<u32> {
    speaker.strip_prefix("crema-")?.parse().ok()
}

/// ASED's speaker number (`ased-GG-PP` -> PP).
fn ased_number(speaker: &str) -> Option<u32> {
    speaker.strip_prefix("ased-")?.get(3..)?.parse().ok()
}

/// Speakers protocol (c) tests on.
pub fn held_out(speaker: &str) -> bool {
    matches!(
        speaker,
        "ravdess-17"
            | "ravdess-18"
            | "ravdess-19"
            | "ravdess-20"
            | "savee-KL"
            | "tess-YAF"
            | "nemo-KS0"
            | "nemo-WR0"
    ) || crema_actor(speaker).is_some_and(|n| n >= 1082)
        || ased_number(speaker).is_some_and(|n| n % 5 == 0)
}

/// FNV-1a: a hash that stays the same across Rust releases, for choosing TESS words.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Clips kept aside from training to stop early and to choose configurations: whole speakers
/// of every corpus (RAVDESS 15-16, SAVEE JK, nEMO MP0, ASED speakers 03, 13, 23, ..., CREMA-D
/// 1076-1081). TESS has two speakers and both are needed elsewhere, so a tenth of its words
/// (both speakers) validate instead: new words, not new voices.
pub fn validation(clip: &Clip) -> bool {
    let speaker = clip.speaker.as_str();
    match clip.corpus {
        Corpus::Ravdess => matches!(speaker, "ravdess-15" | "ravdess-16"),
        Corpus::Savee => speaker == "savee-JK",
        Corpus::Nemo => speaker == "nemo-MP0",
        Corpus::Ased => ased_number(speaker).is_some_and(|n| n % 10 == 3),
        Corpus::CremaD => crema_actor(speaker).is_some_and(|n| (1076..1082).contains(&n)),
        Corpus::Tess => {
            let stem = clip
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let word = stem.split('_').nth(1).unwrap_or("");
            stable_hash(word).is_multiple_of(10)
        }
    }
}

/// Clip roles for protocols (b), (c), (d) (whose test corpus is `held`) and the shipped model;
/// protocol (a) splits windows instead (see [`window_roles`]).
pub fn clip_roles(
    protocol: Protocol,
    clips: &[Clip],
    seed: u64,
    held: Option<Corpus>,
) -> Vec<Role> {
    let by_speaker = |test: &dyn Fn(&Clip) -> bool| -> Vec<Role> {
        clips
            .iter()
            .map(|c| {
                if test(c) {
                    Role::Test
                } else if validation(c) {
                    Role::Valid
                } else {
                    Role::Train
                }
            })
            .collect()
    };
    match protocol {
        Protocol::C => by_speaker(&|c| held_out(&c.speaker)),
        Protocol::D => by_speaker(&|c| Some(c.corpus) == held),
        Protocol::Ship => by_speaker(&|_| false),
        Protocol::A | Protocol::B => random_roles(clips.len(), seed),
    }
}

/// The corpora present, in a fixed order: the folds of protocol (d).
pub fn corpora(clips: &[Clip]) -> Vec<Corpus> {
    Corpus::ALL
        .into_iter()
        .filter(|c| clips.iter().any(|clip| clip.corpus == *c))
        .collect()
}

/// 80 % train (of which a tenth validates), 20 % test, at random.
pub fn random_roles(n: usize, seed: u64) -> Vec<Role> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let mut roles = vec![Role::Train; n];
    let test = n / 5;
    let valid = (n - test) / 10;
    for &i in &order[..test] {
        roles[i] = Role::Test;
    }
    for &i in &order[test..test + valid] {
        roles[i] = Role::Valid;
    }
    roles
}

/// Protocol (a): roles of windows, at random, whatever clip they come from.
pub fn window_roles(n: usize, seed: u64) -> Vec<Role> {
    random_roles(n, seed ^ 0xA)
}

/// Counts of clips per role and speaker, for the report.
pub fn summary(clips: &[Clip], roles: &[Role]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (clip, role) in clips.iter().zip(roles) {
        let key = format!("{role:?}").to_lowercase();
        let list = out.entry(key).or_default();
        if !list.contains(&clip.speaker) {
            list.push(clip.speaker.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use speech_emotion::Emotion;
    use std::path::PathBuf;

    fn clip(path: &str) -> Clip {
        crate::corpus::parse(&PathBuf::from(path)).expect("a corpus name")
    }

    #[test]
    fn held_out_speakers_are_the_issue_s() {
        for s in [
            "ravdess-17",
            "ravdess-20",
            "savee-KL",
            "tess-YAF",
            "crema-1091",
            "nemo-WR0",
            "ased-01-05",
            "ased-02-60",
        ] {
            assert!(held_out(s), "{s}");
        }
        for s in [
            "ravdess-16",
            "ravdess-01",
            "savee-DC",
            "tess-OAF",
            "crema-1001",
            "nemo-EB0",
            "ased-01-03",
            "ased-02-61",
        ] {
            assert!(!held_out(s), "{s}");
        }
    }

    #[test]
    fn validation_speakers_come_from_every_corpus_and_never_from_c_s_test() {
        let clips = [
            "Actor_15/03-01-05-01-01-01-15.wav",
            "JK_a01.wav",
            "MP0_anger_3.wav",
            "a5-01-01-01-13.wav",
            "1077_DFA_ANG_XX.wav",
        ];
        for path in clips {
            let c = clip(path);
            assert!(validation(&c), "{path}");
            assert!(!held_out(&c.speaker), "{path}");
        }
        assert!(!validation(&clip("a5-01-01-01-14.wav")));
        // A tenth of TESS's words, of both speakers: 25 of its 200 words, among them these.
        for (word, validates) in [
            ("book", true),
            ("doll", true),
            ("back", false),
            ("bar", false),
        ] {
            for speaker in ["OAF", "YAF"] {
                let c = clip(&format!("{speaker}_{word}_angry.wav"));
                assert_eq!(validation(&c), validates, "{word}");
            }
        }
    }

    #[test]
    fn leave_one_corpus_out_tests_on_that_corpus_only() {
        let clips: Vec<Clip> = [
            "Actor_01/03-01-05-01-01-01-01.wav",
            "Actor_15/03-01-05-01-01-01-15.wav",
            "EB0_anger_1.wav",
            "n1-01-01-01-09.wav",
        ]
        .iter()
        .map(|p| clip(p))
        .collect();
        let roles = clip_roles(Protocol::D, &clips, 7, Some(Corpus::Nemo));
        assert_eq!(roles, [Role::Train, Role::Valid, Role::Test, Role::Train]);
        assert_eq!(
            corpora(&clips),
            [Corpus::Ravdess, Corpus::Nemo, Corpus::Ased]
        );
        let ship = clip_roles(Protocol::Ship, &clips, 7, None);
        assert!(!ship.contains(&Role::Test));
        assert_eq!(clips[2].emotion, Emotion::Angry);
    }

    #[test]
    fn random_split_is_80_20_and_seeded() {
        let roles = random_roles(1000, 3);
        assert_eq!(roles.iter().filter(|r| **r == Role::Test).count(), 200);
        assert_eq!(roles.iter().filter(|r| **r == Role::Valid).count(), 80);
        assert_eq!(roles, random_roles(1000, 3));
        assert_ne!(roles, random_roles(1000, 4));
    }
}

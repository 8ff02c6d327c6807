//! The three evaluation protocols and how each one splits the data.
//!
//! (a) the seed's: every clip augmented, then a random 80/20 split of the windows, so copies of
//!     one clip sit on both sides (reported to show what that number is worth);
//! (b) a random 80/20 split of clips, augmenting the training side only;
//! (c) speakers held out: RAVDESS actors 17-20, SAVEE KL, TESS YAF (and CREMA-D actors 1082+)
//!     are never seen in training. This is the figure that matters, and the shipped model's.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::corpus::Clip;

/// Which protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum Protocol {
    /// The seed's: augment, then split windows at random.
    A,
    /// Random split of clips, augment training only.
    B,
    /// Speakers held out.
    C,
}

impl Protocol {
    pub fn describe(self) -> &'static str {
        match self {
            Protocol::A => "(a) seed's protocol: augment every clip, random 80/20 split of windows",
            Protocol::B => "(b) random 80/20 split of clips, augmentation on training clips only",
            Protocol::C => {
                "(c) speakers held out: RAVDESS 17-20, SAVEE KL, TESS YAF never trained on"
            }
        }
    }
}

/// Where a clip goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Valid,
    Test,
}

/// Speakers protocol (c) tests on.
pub fn held_out(speaker: &str) -> bool {
    matches!(
        speaker,
        "ravdess-17" | "ravdess-18" | "ravdess-19" | "ravdess-20" | "savee-KL" | "tess-YAF"
    ) || speaker
        .strip_prefix("crema-")
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n >= 1082)
}

/// Training speakers kept aside for early stopping in protocol (c).
fn validation_speaker(speaker: &str) -> bool {
    matches!(speaker, "ravdess-15" | "ravdess-16" | "savee-JK")
        || speaker
            .strip_prefix("crema-")
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (1076..1082).contains(&n))
}

/// Clip roles for protocols (b) and (c); protocol (a) splits windows instead (see
/// [`window_roles`]).
pub fn clip_roles(protocol: Protocol, clips: &[Clip], seed: u64) -> Vec<Role> {
    match protocol {
        Protocol::C => clips
            .iter()
            .map(|c| {
                if held_out(&c.speaker) {
                    Role::Test
                } else if validation_speaker(&c.speaker) {
                    Role::Valid
                } else {
                    Role::Train
                }
            })
            .collect(),
        Protocol::A | Protocol::B => random_roles(clips.len(), seed),
    }
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

    #[test]
    fn held_out_speakers_are_the_issue_s() {
        for s in [
            "ravdess-17",
            "ravdess-20",
            "savee-KL",
            "tess-YAF",
            "crema-1091",
        ] {
            assert!(held_out(s), "{s}");
        }
        for s in [
            "ravdess-16",
            "ravdess-01",
            "savee-DC",
            "tess-OAF",
            "crema-1001",
        ] {
            assert!(!held_out(s), "{s}");
        }
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

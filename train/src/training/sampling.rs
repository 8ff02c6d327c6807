//! Which training windows an epoch draws: one window of one copy per clip drawn, every clip once
//! or every corpus equally often.

use std::collections::{BTreeMap, HashMap};

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::{Sample, TrainConfig};
use crate::corpus::Corpus;

/// The clips (groups of windows) of each corpus, as indices into the training samples.
pub(super) fn clip_groups(train: &[Sample]) -> BTreeMap<Corpus, Vec<Vec<usize>>> {
    let mut index = HashMap::new();
    let mut groups: BTreeMap<Corpus, Vec<Vec<usize>>> = BTreeMap::new();
    for (i, s) in train.iter().enumerate() {
        let list = groups.entry(s.corpus).or_default();
        let g = *index.entry(s.group).or_insert_with(|| {
            list.push(Vec::new());
            list.len() - 1
        });
        list[g].push(i);
    }
    groups
}

/// One epoch's windows: one random window of one random copy per clip drawn; with balancing,
/// `epoch_size` draws spread equally over the corpora, else every clip once.
pub(super) fn epoch_picks<'s, 'a>(
    train: &'s [Sample<'a>],
    groups: &BTreeMap<Corpus, Vec<Vec<usize>>>,
    config: &TrainConfig,
    rng: &mut StdRng,
) -> Vec<&'s Sample<'a>> {
    let mut picks = Vec::new();
    for list in groups.values() {
        let draws = if config.balance_corpora {
            config.epoch_size / groups.len()
        } else {
            list.len()
        };
        for k in 0..draws {
            let g = if config.balance_corpora {
                &list[rng.random_range(0..list.len())]
            } else {
                &list[k]
            };
            picks.push(&train[g[rng.random_range(0..g.len())]]);
        }
    }
    picks.shuffle(rng);
    picks
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use speech_emotion::Emotion;

    use super::*;
    use crate::training::fixtures::{config, matrix};

    #[test]
    fn balanced_epochs_draw_each_corpus_equally() {
        let m = matrix(1, Emotion::Sad);
        let samples: Vec<Sample> = (0..100)
            .map(|i| Sample {
                input: &m,
                label: Emotion::Sad,
                group: i,
                corpus: if i < 90 { Corpus::Tess } else { Corpus::Ased },
            })
            .collect();
        let groups = clip_groups(&samples);
        let mut rng = StdRng::seed_from_u64(3);
        let picks = epoch_picks(&samples, &groups, &config(1), &mut rng);
        let ased = picks.iter().filter(|s| s.corpus == Corpus::Ased).count();
        assert_eq!((picks.len(), ased), (100, 50));
        let unbalanced = TrainConfig {
            balance_corpora: false,
            ..config(1)
        };
        let picks = epoch_picks(&samples, &groups, &unbalanced, &mut rng);
        let ased = picks.iter().filter(|s| s.corpus == Corpus::Ased).count();
        assert_eq!((picks.len(), ased), (100, 10));
    }
}

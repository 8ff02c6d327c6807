//! The loaders on the real corpora in `../shared/data`, and on files written under the names
//! of corpora that are not there.

use std::collections::BTreeSet;
use std::path::PathBuf;

use speech_emotion::Emotion;
use train::corpus::{Corpus, scan};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

fn speakers(clips: &[train::corpus::Clip], corpus: Corpus) -> BTreeSet<String> {
    clips
        .iter()
        .filter(|c| c.corpus == corpus)
        .map(|c| c.speaker.clone())
        .collect()
}

#[test]
fn every_corpus_of_the_data_folder_is_found_with_its_speakers() {
    let found = scan(&data()).expect("../shared/data is readable");
    let counts = found.counts();
    let total = |corpus| counts[&corpus].iter().sum::<usize>();
    assert_eq!(total(Corpus::Ravdess), 1200);
    assert_eq!(total(Corpus::Tess), 2800);
    assert_eq!(total(Corpus::Savee), 480);
    assert_eq!(total(Corpus::Nemo), 636);
    assert_eq!(total(Corpus::Ased), 1072);
    assert_eq!(speakers(&found.clips, Corpus::Ravdess).len(), 20);
    assert_eq!(speakers(&found.clips, Corpus::Nemo).len(), 9);
    // ASED numbers its speakers within each gender: (gender, number) pairs.
    let ased = speakers(&found.clips, Corpus::Ased);
    assert!(
        (60..=70).contains(&ased.len()),
        "{} ASED speakers",
        ased.len()
    );
    assert!(ased.contains("ased-01-03") && ased.contains("ased-02-04"));
    // Each corpus has exactly the classes its loader says it records.
    for corpus in [
        Corpus::Ravdess,
        Corpus::Tess,
        Corpus::Savee,
        Corpus::Nemo,
        Corpus::Ased,
    ] {
        let present: Vec<Emotion> = Emotion::ALL
            .into_iter()
            .filter(|e| counts[&corpus][e.index()] > 0)
            .collect();
        assert_eq!(present, corpus.classes(), "{corpus:?}");
    }
    assert_eq!(counts[&Corpus::Nemo][Emotion::Disgust.index()], 0);
    assert_eq!(counts[&Corpus::Ased][Emotion::Surprise.index()], 0);
}

#[test]
fn nemo_and_ased_names_written_here_are_labelled() {
    let dir = std::env::temp_dir().join(format!("corpora-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for name in [
        "nemo/SM0_sadness_7.wav",
        "nemo/TP0_surprised_120.flac",
        "ASED_V1/04Sad/s4-02-01-02-41.wav",
        "ASED_V1/02Fearful/f2-05-03-01-41.wav",
        "ASED_V1/notes.wav",
    ] {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"").unwrap();
    }
    let found = scan(&dir).unwrap();
    let labels: Vec<(Corpus, &str, Emotion)> = found
        .clips
        .iter()
        .map(|c| (c.corpus, c.speaker.as_str(), c.emotion))
        .collect();
    assert_eq!(
        labels,
        [
            (Corpus::Ased, "ased-01-41", Emotion::Fear),
            (Corpus::Ased, "ased-02-41", Emotion::Sad),
            (Corpus::Nemo, "nemo-SM0", Emotion::Sad),
            (Corpus::Nemo, "nemo-TP0", Emotion::Surprise),
        ]
    );
    assert_eq!(found.skipped.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

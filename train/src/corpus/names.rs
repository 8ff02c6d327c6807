//! Each corpus's file names: the corpus, speaker and emotion a name says, or nothing.

use std::path::Path;

use speech_emotion::Emotion;

use super::{Clip, Corpus};

/// Reads the label of one file from its name (and, for SAVEE's original layout, its folder).
/// `None` for names that fit no corpus, and for RAVDESS song or video files.
pub fn parse(path: &Path) -> Option<Clip> {
    let stem = path.file_stem()?.to_str()?;
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let (corpus, speaker, emotion) = parse_ravdess(stem)
        .or_else(|| parse_tess(stem))
        .or_else(|| parse_savee(stem, parent))
        .or_else(|| parse_crema(stem))
        .or_else(|| parse_nemo(stem))
        .or_else(|| parse_ased(stem))?;
    Some(Clip {
        path: path.to_path_buf(),
        corpus,
        speaker,
        emotion,
    })
}

type Parsed = (Corpus, String, Emotion);

fn parse_ravdess(stem: &str) -> Option<Parsed> {
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() != 7
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    // Modality 03 is audio-only; vocal channel 01 is speech (02 is song).
    if parts[0] != "03" || parts[1] != "01" {
        return None;
    }
    let emotion = match parts[2] {
        "01" | "02" => Emotion::Neutral,
        "03" => Emotion::Happy,
        "04" => Emotion::Sad,
        "05" => Emotion::Angry,
        "06" => Emotion::Fear,
        "07" => Emotion::Disgust,
        "08" => Emotion::Surprise,
        _ => return None,
    };
    Some((Corpus::Ravdess, format!("ravdess-{}", parts[6]), emotion))
}

fn parse_tess(stem: &str) -> Option<Parsed> {
    let lower = stem.to_ascii_lowercase();
    let speaker = match lower.get(..4)? {
        "oaf_" => "OAF",
        "yaf_" => "YAF",
        _ => return None,
    };
    let label = lower.rsplit('_').next()?;
    let emotion = match label {
        "angry" => Emotion::Angry,
        "disgust" => Emotion::Disgust,
        "fear" => Emotion::Fear,
        "happy" => Emotion::Happy,
        "neutral" => Emotion::Neutral,
        "sad" => Emotion::Sad,
        "ps" | "surprise" | "surprised" => Emotion::Surprise,
        _ => return None,
    };
    Some((Corpus::Tess, format!("tess-{speaker}"), emotion))
}

fn savee_label(code: &str) -> Option<Emotion> {
    let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &code[letters.len()..];
    if digits.len() != 2 {
        return None;
    }
    Some(match letters {
        "a" => Emotion::Angry,
        "d" => Emotion::Disgust,
        "f" => Emotion::Fear,
        "h" => Emotion::Happy,
        "n" => Emotion::Neutral,
        "sa" => Emotion::Sad,
        "su" => Emotion::Surprise,
        _ => return None,
    })
}

const SAVEE_SPEAKERS: [&str; 4] = ["DC", "JE", "JK", "KL"];

fn parse_savee(stem: &str, parent: &str) -> Option<Parsed> {
    let (speaker, code) = match stem.split_once('_') {
        Some((speaker, code)) if SAVEE_SPEAKERS.contains(&speaker) => (speaker, code),
        _ if SAVEE_SPEAKERS.contains(&parent) => (parent, stem),
        _ => return None,
    };
    Some((
        Corpus::Savee,
        format!("savee-{speaker}"),
        savee_label(code)?,
    ))
}

fn parse_crema(stem: &str) -> Option<Parsed> {
    let parts: Vec<&str> = stem.split('_').collect();
    if parts.len() != 4 || parts[0].len() != 4 || !parts[0].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if parts[1].len() != 3 || !parts[1].bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let emotion = match parts[2] {
        "ANG" => Emotion::Angry,
        "DIS" => Emotion::Disgust,
        "FEA" => Emotion::Fear,
        "HAP" => Emotion::Happy,
        "NEU" => Emotion::Neutral,
        "SAD" => Emotion::Sad,
        _ => return None,
    };
    Some((Corpus::CremaD, format!("crema-{}", parts[0]), emotion))
}

/// nEMO speakers are three characters, two capitals and a digit (`EB0`, `SM0`).
fn parse_nemo(stem: &str) -> Option<Parsed> {
    let mut parts = stem.split('_');
    let (speaker, label, number) = (parts.next()?, parts.next()?, parts.next()?);
    let b = speaker.as_bytes();
    if parts.next().is_some()
        || b.len() != 3
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2].is_ascii_digit()
        || number.is_empty()
        || !number.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let emotion = match label {
        "anger" => Emotion::Angry,
        "fear" => Emotion::Fear,
        "happiness" => Emotion::Happy,
        "neutral" => Emotion::Neutral,
        "sadness" => Emotion::Sad,
        "surprised" => Emotion::Surprise,
        _ => return None,
    };
    Some((Corpus::Nemo, format!("nemo-{speaker}"), emotion))
}

/// ASED: `<e><k>-SS-RR-GG-PP`, the emotion letter and its folder number, sentence, repetition,
/// gender and speaker; speaker numbers repeat across genders, so the speaker is `(GG, PP)`.
fn parse_ased(stem: &str) -> Option<Parsed> {
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() != 5
        || parts[1..]
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let emotion = match parts[0] {
        "n1" => Emotion::Neutral,
        "f2" => Emotion::Fear,
        "h3" => Emotion::Happy,
        "s4" => Emotion::Sad,
        "a5" => Emotion::Angry,
        _ => return None,
    };
    if !matches!(parts[3], "01" | "02") {
        return None;
    }
    Some((
        Corpus::Ased,
        format!("ased-{}-{}", parts[3], parts[4]),
        emotion,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str) -> Option<(Corpus, String, Emotion)> {
        parse(Path::new(name)).map(|c| (c.corpus, c.speaker, c.emotion))
    }

    #[test]
    fn ravdess_names() {
        assert_eq!(
            label("Actor_17/03-01-02-01-01-01-17.wav"),
            Some((Corpus::Ravdess, "ravdess-17".into(), Emotion::Neutral))
        );
        assert_eq!(
            label("03-01-08-02-02-02-03.flac").unwrap().2,
            Emotion::Surprise
        );
        assert_eq!(label("03-02-05-01-01-01-01.wav"), None, "song is skipped");
        assert_eq!(label("01-01-05-01-01-01-01.mp4"), None, "video is skipped");
        assert_eq!(
            label("02-01-05-01-01-01-01.wav"),
            None,
            "video-only is skipped"
        );
    }

    #[test]
    fn tess_names() {
        assert_eq!(
            label("OAF_Pleasant_surprise/OAF_back_ps.wav"),
            Some((Corpus::Tess, "tess-OAF".into(), Emotion::Surprise))
        );
        assert_eq!(label("YAF_germ_angry.wav").unwrap().2, Emotion::Angry);
        assert_eq!(label("YAF_germ_bored.wav"), None);
    }

    #[test]
    fn savee_names_flat_and_nested() {
        assert_eq!(
            label("KL_sa07.flac"),
            Some((Corpus::Savee, "savee-KL".into(), Emotion::Sad))
        );
        assert_eq!(label("AudioData/JE/su15.wav").unwrap().1, "savee-JE");
        assert_eq!(label("AudioData/JE/su15.wav").unwrap().2, Emotion::Surprise);
        assert_eq!(label("XX_a01.wav"), None);
        assert_eq!(label("DC_x01.wav"), None);
    }

    #[test]
    fn crema_names_have_no_surprise() {
        assert_eq!(
            label("1001_DFA_ANG_XX.wav"),
            Some((Corpus::CremaD, "crema-1001".into(), Emotion::Angry))
        );
        assert_eq!(label("1091_IEO_NEU_HI.wav").unwrap().2, Emotion::Neutral);
        assert_eq!(label("1001_DFA_SUR_XX.wav"), None);
    }

    #[test]
    fn nemo_names_have_no_disgust() {
        assert_eq!(
            label("nemo/EB0_anger_23.flac"),
            Some((Corpus::Nemo, "nemo-EB0".into(), Emotion::Angry))
        );
        assert_eq!(label("KS0_surprised_4.wav").unwrap().2, Emotion::Surprise);
        assert_eq!(label("WR0_happiness_101.wav").unwrap().2, Emotion::Happy);
        assert_eq!(label("WR0_disgust_1.wav"), None);
        assert_eq!(label("wr0_anger_1.wav"), None);
        assert_eq!(label("WR0_anger_x.wav"), None);
        assert!(!Corpus::Nemo.classes().contains(&Emotion::Disgust));
    }

    #[test]
    fn ased_speaker_is_gender_and_number() {
        assert_eq!(
            label("ased/03Happy/h3-01-02-02-09.flac"),
            Some((Corpus::Ased, "ased-02-09".into(), Emotion::Happy))
        );
        assert_eq!(label("n1-05-01-01-09.wav").unwrap().1, "ased-01-09");
        assert_eq!(label("a5-01-01-01-60.wav").unwrap().2, Emotion::Angry);
        assert_eq!(label("s4-01-01-01-60.wav").unwrap().2, Emotion::Sad);
        assert_eq!(label("f2-01-01-01-60.wav").unwrap().2, Emotion::Fear);
        assert_eq!(label("x6-01-01-01-60.wav"), None);
        assert_eq!(label("n1-01-01-03-60.wav"), None, "gender is 01 or 02");
        assert_eq!(label("n1-01-01-01.wav"), None);
        assert_eq!(Corpus::Ased.classes().len(), 5);
    }

    #[test]
    fn other_names_are_skipped() {
        assert_eq!(label("my_recording.wav"), None);
        assert_eq!(label("notes.flac"), None);
    }
}

//! The `train` binary as a user runs it: corpora found by name (also in the original releases
//! and under CREMA-D names), quick training that learns and writes a model that reloads, and
//! `predict` / `evaluate` on real clips.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_train"))
}

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("train-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 16-bit mono WAV of a tone with a syllable-like envelope.
/// `train train ARGS` on the shared data, writing to `out`.
fn train_into(out: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .arg("train")
        .args(args)
        .arg("--data")
        .arg(data())
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn write_wav(path: &Path, rate: u32, seconds: f32, freq: f32) {
    let n = (rate as f32 * seconds) as usize;
    let mut data = Vec::with_capacity(n * 2);
    for i in 0..n {
        let t = i as f32 / rate as f32;
        let envelope = (std::f32::consts::PI * t / seconds).sin();
        let x = 0.4 * envelope * (std::f32::consts::TAU * freq * t).sin();
        data.extend(((x * 32767.0) as i16).to_le_bytes());
    }
    let mut out = Vec::new();
    out.extend(b"RIFF");
    out.extend((36 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(rate.to_le_bytes());
    out.extend((rate * 2).to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(16u16.to_le_bytes());
    out.extend(b"data");
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    std::fs::write(path, out).unwrap();
}

#[test]
fn quick_training_learns_and_writes_a_model_that_reloads() {
    let out = temp("quick");
    let cache = out.join("cache");
    let output = train_into(
        &out,
        &[
            "--quick",
            "--protocols",
            "ship,c,d",
            "--epochs",
            "3",
            "--members",
            "2",
            "--cache",
            cache.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for corpus in ["RAVDESS", "TESS", "SAVEE", "nEMO", "ASED"] {
        assert!(stderr.contains(corpus), "{corpus} not found: {stderr}");
    }
    assert!(
        stderr.contains("half-precision record reloads within"),
        "{stderr}"
    );
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("emotion-cnn.json")).unwrap())
            .unwrap();
    // The quick configuration trains two networks from different seeds; each one learns.
    assert_eq!(meta["model"]["members"], 2);
    assert_eq!(meta["half_precision"], true);
    assert_eq!(meta["weight_grid_bits"], 9, "the default grid");
    let ship = &meta["evaluation"]["ship"];
    let validated = ship["speakers"]["valid"].as_array().unwrap();
    for speaker in ["ravdess-15", "savee-JK", "nemo-MP0", "ased-01-03"] {
        assert!(validated.iter().any(|s| s == speaker), "{speaker}");
    }
    assert!(ship["speakers"].get("test").is_none());
    let c = &meta["evaluation"]["c"];
    for corpus in ["RAVDESS", "TESS", "SAVEE", "nEMO", "ASED"] {
        assert!(
            c["per_corpus"][corpus]["uar"].as_f64().is_some(),
            "{corpus}: {c}"
        );
    }
    // Leave one corpus out: a fold per corpus, tested on that corpus's speakers only, with its
    // UAR, answer spread and confusion image; the mean UAR over the folds.
    let d = &meta["evaluation"]["d"];
    for (corpus, prefix) in [
        ("RAVDESS", "ravdess-"),
        ("TESS", "tess-"),
        ("SAVEE", "savee-"),
        ("nEMO", "nemo-"),
        ("ASED", "ased-"),
    ] {
        let fold = &d["folds"][corpus];
        let tested = fold["speakers"]["test"].as_array().unwrap();
        assert!(!tested.is_empty(), "{corpus}");
        assert!(
            tested
                .iter()
                .all(|s| s.as_str().unwrap().starts_with(prefix)),
            "{corpus}: {tested:?}"
        );
        let trained = fold["speakers"]["train"].as_array().unwrap();
        assert!(
            trained
                .iter()
                .all(|s| !s.as_str().unwrap().starts_with(prefix)),
            "{corpus}"
        );
        let uar = fold["report"]["uar"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&uar), "{corpus}: {uar}");
        assert!(fold["report"]["spread"]["answered"].as_f64().is_some());
        let image = out.join(format!("confusion-d-{}.png", corpus.to_lowercase()));
        assert!(image.exists(), "{}", image.display());
    }
    assert!(d["mean_uar"].as_f64().is_some() && d["mean_valid_uar"].as_f64().is_some());
    assert!(stderr.contains("(d) mean UAR"), "{stderr}");
    let networks = ship["networks"].as_array().unwrap();
    assert_eq!(networks.len(), 2);
    assert_ne!(networks[0]["seed"], networks[1]["seed"]);
    for network in networks {
        let epochs = network["epochs"].as_array().unwrap();
        let first = epochs.first().unwrap()["train_loss"].as_f64().unwrap();
        let last = epochs.last().unwrap()["train_loss"].as_f64().unwrap();
        assert!(
            last < first,
            "training loss did not fall: {first} -> {last}"
        );
        assert!(network["valid_uar"].as_f64().unwrap() > 0.0);
    }
    assert!(out.join("emotion-cnn.bin").metadata().unwrap().len() > 10_000);
    assert!(out.join("confusion-c.png").exists());

    // The written model is usable by predict, twice with the same answer.
    let clip = data().join("originals/savee/DC_su10.wav");
    let run = || {
        let o = bin()
            .arg("predict")
            .arg(&clip)
            .arg("--json")
            .arg("--model")
            .arg(out.join("emotion-cnn.json"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(run(), run());
}

#[test]
fn original_releases_are_found_and_labelled() {
    let output = bin()
        .args(["evaluate", "--json", "--data"])
        .arg(data().join("originals"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("9 clips"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["report"]["n"], 9,
        "every original (48 kHz, stereo, AIFF, 96 kHz) was scored"
    );
    assert_eq!(report["unscored"], 0);
}

#[test]
fn crema_d_names_load_and_a_missing_class_breaks_nothing() {
    let dir = temp("crema");
    let names = [
        "1001_DFA_ANG_XX",
        "1001_IEO_HAP_HI",
        "1002_TIE_SAD_LO",
        "1091_MTI_NEU_XX",
        "1091_WSI_FEA_MD",
        "1050_ITH_DIS_XX",
    ];
    for (i, name) in names.iter().enumerate() {
        write_wav(
            &dir.join(format!("{name}.wav")),
            16_000,
            2.0,
            150.0 + 40.0 * i as f32,
        );
    }
    write_wav(&dir.join("not_a_corpus_name.wav"), 16_000, 1.0, 200.0);
    let output = bin()
        .args(["evaluate", "--json", "--data"])
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("CREMA-D"), "{stderr}");
    assert!(
        stderr.contains("6 clips; 1 audio files skipped"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["report"]["n"], 6);
    assert_eq!(
        report["report"]["per_class"][6]["support"], 0,
        "no surprise in CREMA-D"
    );
    assert!(report["report"]["macro_f1"].as_f64().unwrap().is_finite());
}

#[test]
fn front_layers_without_a_front_are_refused_before_any_work() {
    let out = temp("no-front");
    let output = train_into(
        &out,
        &["--quick", "--image-maps", "0", "--image-layers", "2"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--image-maps 0 leaves out"), "{stderr}");
    assert!(!out.join("emotion-cnn.json").exists());
}

#[test]
fn predict_reports_bad_files_and_goes_on() {
    let dir = temp("predict");
    std::fs::write(dir.join("empty.wav"), b"").unwrap();
    std::fs::write(
        dir.join("text.wav"),
        b"not audio at all, just some text".repeat(10),
    )
    .unwrap();
    let good = data().join("originals/tess/YAF_angry/YAF_germ_angry.wav");
    let output = bin()
        .arg("predict")
        .arg("--json")
        .arg(dir.join("empty.wav"))
        .arg(&good)
        .arg(dir.join("text.wav"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a failed file makes the exit status 1"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["error"].as_str().unwrap().contains("empty"));
    let probabilities = lines[1]["probabilities"].as_object().unwrap();
    assert_eq!(probabilities.len(), 7);
    let sum: f64 = probabilities.values().map(|v| v.as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-4);
    assert_eq!(
        lines[1]["emotion"],
        *probabilities
            .iter()
            .max_by(|a, b| a.1.as_f64().partial_cmp(&b.1.as_f64()).unwrap())
            .unwrap()
            .0
    );
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("not an audio file")
    );
}

#[test]
fn predict_on_several_threads_answers_in_the_given_order_as_on_one() {
    // Eight real clips of several corpora, and a bad file in the middle; a long file joined from
    // them exercises one file's windows spread over threads.
    let mut files: Vec<PathBuf> = ["ravdess/Actor_02", "savee", "tess/OAF_angry"]
        .iter()
        .flat_map(|dir| {
            let mut found: Vec<PathBuf> = std::fs::read_dir(data().join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "flac"))
                .collect();
            found.sort();
            found.truncate(3);
            found
        })
        .collect();
    assert_eq!(files.len(), 9);
    let dir = temp("threads");
    let bad = dir.join("broken.wav");
    std::fs::write(&bad, b"RIFF not really").unwrap();
    files.insert(4, bad);
    let long = dir.join("long.wav");
    write_wav(&long, 16_000, 30.0, 180.0);
    files.push(long);
    let run = |threads: &str| {
        let output = bin()
            .args(["predict", "--json", "--timeline", "--threads", threads])
            .args(&files)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "the broken file fails");
        String::from_utf8(output.stdout).unwrap()
    };
    let one = run("1");
    assert_eq!(run("2"), one);
    assert_eq!(run("3"), one);
    let shown: Vec<String> = one
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let given: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(shown, given);
}

#[test]
fn predict_timeline_marks_silence_and_writes_csv() {
    let dir = temp("timeline");
    // 3 s of speech-like tone, 4 s of digital silence, 3 s of tone.
    let clip = dir.join("long.wav");
    write_wav(&clip, 16_000, 10.0, 180.0);
    let mut bytes = std::fs::read(&clip).unwrap();
    bytes[44 + 3 * 16_000 * 2..44 + 7 * 16_000 * 2].fill(0);
    std::fs::write(&clip, bytes).unwrap();
    let csv = dir.join("timeline.csv");
    let output = bin()
        .arg("predict")
        .arg(&clip)
        .args(["--json", "--timeline", "--csv"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let timeline = value["timeline"].as_array().unwrap();
    assert!(timeline.len() >= 6, "{timeline:?}");
    assert!(
        timeline.iter().any(|w| w["emotion"].is_null()),
        "the silent gap is marked"
    );
    assert!(timeline.iter().filter(|w| !w["emotion"].is_null()).count() >= 2);
    // The stretches tile the file from 0 to its end, and no two neighbours share an answer.
    let segments = value["segments"].as_array().unwrap();
    assert_eq!(segments[0]["start"].as_f64().unwrap(), 0.0);
    let end = segments.last().unwrap()["end"].as_f64().unwrap();
    assert!((end - value["duration"].as_f64().unwrap()).abs() < 1e-3);
    for pair in segments.windows(2) {
        assert_eq!(pair[0]["end"], pair[1]["start"]);
        assert_ne!(pair[0]["emotion"], pair[1]["emotion"]);
    }
    let merged: u64 = segments
        .iter()
        .map(|s| s["windows"].as_u64().unwrap())
        .sum();
    assert_eq!(merged as usize, timeline.len());
    assert!(segments.iter().any(|s| s["emotion"].is_null()));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with(
        "file,start,end,emotion,uncertain,windows,neutral,happy,sad,angry,fear,disgust,surprise"
    ));
    assert!(text.contains(",no speech,"));
    assert_eq!(text.lines().count(), segments.len() + 1);
    // The same stretches in the text timeline, under a header.
    let output = bin()
        .arg("predict")
        .arg(&clip)
        .arg("--timeline")
        .output()
        .unwrap();
    let printed = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert!(
        lines[1].contains("start s") && lines[1].contains("emotion"),
        "{printed}"
    );
    assert_eq!(lines.len(), 2 + segments.len(), "{printed}");
    assert!(lines[2].trim_start().starts_with("0.00 -"), "{printed}");
}

/// The shipped model written back in f32, as a model trained with `--half-precision false` is.
fn write_full_precision_model(dir: &Path) -> PathBuf {
    use burn::module::Module;
    use burn::store::ModuleRecord;
    use burn::tensor::Bytes;
    use speech_emotion::state::{MODEL_RECORD, shipped_metadata};
    let mut metadata = shipped_metadata().unwrap();
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(MODEL_RECORD.to_vec()))
        .unwrap()
        .cast_to_module_dtype();
    let model = metadata
        .model
        .init_ensemble(&speech_emotion::classifier::cpu())
        .load_record(record);
    let full = model.into_record().into_bytes().unwrap().to_vec();
    metadata.half_precision = false;
    let json = dir.join("model.json");
    std::fs::write(dir.join("model.bin"), full).unwrap();
    std::fs::write(&json, serde_json::to_string(&metadata).unwrap()).unwrap();
    json
}

#[test]
fn half_stores_f16_weights_after_checking_the_answers_on_real_clips() {
    let dir = temp("half");
    let json = write_full_precision_model(&dir);
    let full_size = std::fs::metadata(dir.join("model.bin")).unwrap().len();
    let clips = data().join("savee");
    let predict = |model: &Path| {
        let output = bin()
            .args(["predict", "--json", "--model"])
            .arg(model)
            .arg(&clips)
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let half = || {
        bin()
            .arg("half")
            .arg("--model")
            .arg(&json)
            .arg(&clips)
            .output()
            .unwrap()
    };
    let before = predict(&json);
    let output = half();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("480 clips: largest change of a probability 0.00"),
        "{stdout}"
    );
    let half_size = std::fs::metadata(dir.join("model.bin")).unwrap().len();
    assert!(
        half_size * 10 < full_size * 6,
        "{half_size} against {full_size}"
    );
    let after = predict(&json);
    let answers = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["emotion"].to_string())
            .collect()
    };
    let same = answers(&before)
        .iter()
        .zip(answers(&after))
        .filter(|(a, b)| **a == *b)
        .count();
    assert!(same >= 475, "only {same} of 480 answers kept");
    let again = half();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in half precision"));

    let grid = |bits: &str| {
        bin()
            .args(["half", "--grid-bits", bits, "--model"])
            .arg(&json)
            .arg(&clips)
            .output()
            .unwrap()
    };
    let refused = grid("1");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("give 0 (no grid) or 2 to 11 bits"));
    let output = grid("9");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(metadata["weight_grid_bits"], 9);
    let kept = answers(&before)
        .iter()
        .zip(answers(&predict(&json)))
        .filter(|(a, b)| **a == *b)
        .count();
    assert!(kept >= 475, "only {kept} of 480 answers kept on the grid");
    let again = grid("9");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("already in half precision on a 9-bit grid")
    );
}

#[test]
fn bad_training_flags_fail_at_once_before_any_clip_is_read() {
    let out_dir = temp("bad-flags");
    for (flag, expected) in [
        (
            "--adversarial-weight=-1",
            "--adversarial-weight must be between 0 (off) and 10",
        ),
        ("--channels=8,8", "--channels takes three counts"),
    ] {
        // A data root that does not exist: had the flags been checked after reading it, the
        // error would be about the data instead.
        let output = bin()
            .args(["train", "--data", "/nonexistent/corpora", "--quick", flag])
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{flag} was accepted");
        assert!(stderr.contains(expected), "{flag}: {stderr}");
    }
}

//! `predict` on real clips and bad files: errors per file, the given order on several
//! threads, timelines and CSV.

use super::*;

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
    let (value, _) = json_output(
        bin()
            .arg("predict")
            .arg(&clip)
            .args(["--json", "--timeline", "--csv"])
            .arg(&csv),
    );
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

/// Every fourth SAVEE clip of two speakers: 60 clips of seven emotions from one source.
fn savee_set() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data().join("savee"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with("DC_") || name.starts_with("JE_")
        })
        .collect();
    files.sort();
    let files: Vec<PathBuf> = files.into_iter().step_by(4).collect();
    assert_eq!(files.len(), 60);
    files
}

/// `predict --json` with `extra` options on `files`.
fn predict_json(extra: &[&str], files: &[PathBuf]) -> std::process::Output {
    bin()
        .args(["predict", "--json"])
        .args(extra)
        .args(files)
        .output()
        .unwrap()
}

/// Each answered file and its probabilities (in the printed class order); errors left out.
fn probabilities(output: &std::process::Output) -> Vec<(String, Vec<f64>)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let p = v["probabilities"].as_object()?;
            let p = p.values().map(|x| x.as_f64().unwrap()).collect();
            Some((v["file"].as_str().unwrap().to_owned(), p))
        })
        .collect()
}

#[test]
fn predict_standardises_a_set_by_its_own_statistics_and_refuses_a_small_one() {
    // 60 clips hold well over the 30 speech windows a set needs; the first 3 hold fewer.
    let files = savee_set();
    let run = predict_json;
    let plain = run(&[], &files);
    let set = run(&["--standardise-set"], &files);
    let stderr = String::from_utf8_lossy(&set.stderr);
    assert!(set.status.success(), "{stderr}");
    assert!(
        stderr.contains("standardised by the set's own statistics")
            && stderr.contains("of 60 files"),
        "{stderr}"
    );
    let (plain, set) = (probabilities(&plain), probabilities(&set));
    let given: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(set.iter().map(|s| s.0.clone()).collect::<Vec<_>>(), given);
    let largest = plain
        .iter()
        .zip(&set)
        .flat_map(|(a, b)| a.1.iter().zip(&b.1).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f64::max);
    assert!(
        largest > 0.05,
        "the set's statistics changed nothing: {largest}"
    );
    for (_, p) in &set {
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-4);
    }
    let small = run(&["--standardise-set"], &files[..3]);
    assert!(!small.status.success());
    assert!(small.stdout.is_empty(), "nothing classified");
    assert!(
        String::from_utf8_lossy(&small.stderr).contains("needs at least 30 speech windows"),
        "{}",
        String::from_utf8_lossy(&small.stderr)
    );
}

#[test]
fn predict_balances_a_set_by_its_mean_answer_and_answers_a_small_one_as_trained() {
    // The 60 clips with an unreadable file among them: it is reported and left out of the set.
    let dir = temp("predict-balance");
    let broken = dir.join("broken.wav");
    std::fs::write(&broken, b"RIFF but not audio").unwrap();
    let mut files = savee_set();
    files.insert(30, broken);
    let plain = predict_json(&[], &files);
    let set = predict_json(&["--balance-set"], &files);
    let stderr = String::from_utf8_lossy(&set.stderr);
    assert_eq!(set.status.code(), Some(1), "a failed file: {stderr}");
    assert!(
        stderr.contains("balanced over the set: 60 files with speech of 61"),
        "{stderr}"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&set.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines[30]["error"].is_string(), "{}", lines[30]);
    let given: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let (plain, set) = (probabilities(&plain), probabilities(&set));
    let answered: Vec<String> = given
        .iter()
        .filter(|f| !f.ends_with("broken.wav"))
        .cloned()
        .collect();
    assert_eq!(
        set.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
        answered
    );
    // Each answer is its plain probabilities over the set's mean, summed to one.
    let mean: Vec<f64> = (0..7)
        .map(|k| plain.iter().map(|p| p.1[k]).sum::<f64>() / plain.len() as f64)
        .collect();
    let mut changed = 0;
    for ((line, (_, p)), (_, q)) in lines
        .iter()
        .filter(|l| l["error"].is_null())
        .zip(&plain)
        .zip(&set)
    {
        let divided: Vec<f64> = p.iter().zip(&mean).map(|(v, m)| v / m).collect();
        let sum: f64 = divided.iter().sum();
        for (expected, got) in divided.iter().zip(q) {
            assert!(
                (expected / sum - got).abs() < 1e-4,
                "{p:?} over {mean:?}: {q:?}"
            );
        }
        let top = |v: &[f64]| (0..7).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        changed += usize::from(top(p) != top(q));
        assert_eq!(line["balanced_with_set"], true);
        let names: Vec<&String> = line["probabilities"].as_object().unwrap().keys().collect();
        assert_eq!(line["emotion"].as_str().unwrap(), names[top(q)]);
    }
    assert!(changed > 0, "balancing changed no answer");
    // Fewer than 25 files with speech: answered as trained, and said so.
    let small = predict_json(&["--balance-set"], &files[..3]);
    let stderr = String::from_utf8_lossy(&small.stderr);
    assert!(small.status.success(), "{stderr}");
    assert!(stderr.contains("needs at least 25 recordings"), "{stderr}");
    assert_eq!(probabilities(&small), plain[..3]);
    assert!(String::from_utf8_lossy(&small.stdout).contains("\"balanced_with_set\":false"));
    let both = predict_json(&["--balance-set", "--standardise-set"], &files[..3]);
    assert!(!both.status.success());
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
}

#[test]
fn predict_among_some_emotions_conditions_every_window_on_them() {
    let files = &savee_set()[..12];
    let allowed = ["neutral", "happy", "sad", "angry", "fear"];
    let plain = predict_json(&["--timeline"], files);
    let among = predict_json(&["--among", &allowed.join(",")], files);
    let stderr = String::from_utf8_lossy(&among.stderr);
    assert!(among.status.success(), "{stderr}");
    assert!(
        stderr.contains("answering among neutral, happy, sad, angry, fear only"),
        "{stderr}"
    );
    let lines = |o: &std::process::Output| -> Vec<serde_json::Value> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let mut outside = 0;
    for (p, q) in lines(&plain).iter().zip(lines(&among)) {
        outside += usize::from(!allowed.contains(&p["emotion"].as_str().unwrap()));
        // Each speech window's probabilities restricted to the five and summed to one, then
        // averaged: the answer among them.
        let windows: Vec<&serde_json::Value> = p["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["probabilities"].is_object())
            .collect();
        let probabilities = q["probabilities"].as_object().unwrap();
        for (name, got) in probabilities {
            let restricted = |w: &&serde_json::Value| {
                let p = w["probabilities"].as_object().unwrap();
                let kept: f64 = allowed.iter().map(|a| p[*a].as_f64().unwrap()).sum();
                let v = p[name].as_f64().unwrap() / kept;
                if allowed.contains(&name.as_str()) {
                    v
                } else {
                    0.0
                }
            };
            let expected = windows.iter().map(restricted).sum::<f64>() / windows.len() as f64;
            assert!(
                (expected - got.as_f64().unwrap()).abs() < 1e-4,
                "{}: {name} {expected} against {got}",
                p["file"]
            );
        }
        assert!(allowed.contains(&q["emotion"].as_str().unwrap()), "{q}");
    }
    assert!(
        outside > 0,
        "no plain answer fell outside the five: the test shows nothing"
    );
    for (bad, said) in [
        ("neutral,bored", "unknown emotion \"bored\""),
        ("sad,sad", "at least 2 different emotions"),
    ] {
        let output = predict_json(&["--among", bad], files);
        assert_eq!(output.status.code(), Some(1), "{bad}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(said),
            "{bad}"
        );
        assert!(output.stdout.is_empty(), "{bad}: nothing classified");
    }
}

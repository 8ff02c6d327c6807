//! Protocol (d) as a user runs it: the folds validated each corpus by its own statistics, a
//! corpus set aside for nested leave-one-corpus-out never read by the inner folds (nor a class
//! left untaught), the nested runs compared by the shipping rule's script, a set-aside corpus
//! refused beside a model, and distilled folds scoring their teachers.

use super::*;

/// Protocol (d) alone in the quick configuration, one network per fold, into a fresh directory.
fn quick_d(name: &str, extra: &[&str]) -> (PathBuf, std::process::Output) {
    let out = temp(name);
    let cache = out.join("cache");
    let mut args = vec!["--quick", "--protocols", "d", "--members", "1"];
    args.extend_from_slice(extra);
    args.extend(["--cache", cache.to_str().unwrap()]);
    let output = train_into(&out, &args);
    (out, output)
}

#[test]
fn corpus_normalised_folds_validate_each_corpus_by_its_own_statistics() {
    let (out, output) = quick_d(
        "corpus-normalised",
        &["--epochs", "2", "--corpus-normalisation", "true"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let figures = read_json(&out.join("emotion-cnn-figures.json"));
    let folds = figures["evaluation"]["d"]["folds"].as_object().unwrap();
    assert_eq!(folds.len(), 5);
    for (corpus, fold) in folds {
        // Validated as trained, each corpus by its own statistics: the split's own figure and
        // the set-normalised one (computed apart, from the raw windows) are the same.
        let own = &fold["set_normalised"][1];
        assert_eq!(own["statistics"], "mean_and_std");
        let (split, measured) = (
            fold["valid_uar"].as_f64().unwrap(),
            own["valid_uar"].as_f64().unwrap(),
        );
        assert!(
            (split - measured).abs() < 1e-6,
            "{corpus}: {split} against {measured}"
        );
    }
}

#[test]
fn a_corpus_left_out_is_never_read_by_the_inner_folds() {
    let (out, output) = quick_d(
        "left-out",
        &[
            "--epochs",
            "1",
            "--leave-out",
            "nemo",
            "--untaught",
            "ased:sad",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!out.join("emotion-cnn-figures.json").exists());
    let figures = read_json(&out.join("emotion-cnn-without-nemo-figures.json"));
    let d = &figures["evaluation"]["d"];
    let folds: Vec<&String> = d["folds"].as_object().unwrap().keys().collect();
    assert_eq!(folds, ["RAVDESS", "TESS", "SAVEE", "ASED"]);
    for (corpus, fold) in d["folds"].as_object().unwrap() {
        let speakers = fold["speakers"].to_string();
        assert!(speakers.contains("savee-"), "{corpus}: {speakers}");
        assert!(!speakers.contains("nemo-"), "{corpus}: {speakers}");
        // ASED's sad training clips are set aside; held out, ASED is tested on all of them.
        let untaught = fold["speakers"]["untaught"].as_array();
        if corpus == "ASED" {
            assert!(untaught.is_none(), "{speakers}");
        } else {
            let untaught = untaught.unwrap();
            assert!(untaught.len() > 10, "{speakers}");
            assert!(
                untaught
                    .iter()
                    .all(|s| s.as_str().unwrap().starts_with("ased-"))
            );
        }
    }
    assert!(d["set_normalised"]["mean_and_std"]["mean_uar"].is_f64());
    assert!(!out.join("confusion-d-nemo.png").exists());
    assert!(out.join("confusion-d-savee.png").exists());
    compare_nested_runs(&out, &figures);
}

/// `scripts/nested_loco_compare.py` on one outer fold's real figures laid out as two recipes'
/// nested runs: the baseline a copy lowered by 0.01 loses, an identical one does not, and the
/// verdict and figures go into a metadata file.
fn compare_nested_runs(out: &Path, figures: &serde_json::Value) {
    let mut lowered = figures.clone();
    let plain = lowered["evaluation"]["d"]["mean_uar"].as_f64().unwrap();
    lowered["evaluation"]["d"]["mean_uar"] = serde_json::json!(plain - 0.01);
    for (recipe, value) in [
        ("candidate", figures),
        ("same", figures),
        ("lower", &lowered),
    ] {
        let dir = out.join("nested").join(recipe).join("nemo");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("emotion-cnn-without-nemo-figures.json"),
            value.to_string(),
        )
        .unwrap();
    }
    let metadata = out.join("nested").join("metadata.json");
    std::fs::write(&metadata, r#"{"evaluation": {"d": {}}}"#).unwrap();
    let compare = |baseline: &str, extra: &[&std::ffi::OsStr]| {
        let output = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/nested_loco_compare.py"))
            .arg("--candidate")
            .arg(out.join("nested/candidate"))
            .arg("--baseline")
            .arg(out.join("nested").join(baseline))
            .args(["--need", "1"])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        String::from_utf8(output.stdout).unwrap()
    };
    let wins = compare(
        "lower",
        &[
            "--metadata".as_ref(),
            metadata.as_os_str(),
            "--decided".as_ref(),
            "a test".as_ref(),
        ],
    );
    assert!(
        wins.contains("above in 1 of 1 outer folds (needs 1): the candidate wins"),
        "{wins}"
    );
    let tie = compare("same", &[]);
    assert!(tie.contains("the candidate does not win"), "{tie}");
    let written = read_json(&metadata);
    let nested = &written["evaluation"]["d_nested"];
    assert_eq!(nested["decided"], "a test");
    assert!(written["evaluation"]["d"].is_object(), "the rest is kept");
    let fold = &nested["over_seeds"]["per_fold_plain"]["nEMO"];
    let (shipped, previous) = (
        fold["shipped"].as_f64().unwrap(),
        fold["previous"].as_f64().unwrap(),
    );
    assert!((shipped - plain).abs() < 1e-12 && (previous - (plain - 0.01)).abs() < 1e-12);
    assert!(nested["seeds"]["7"]["outer_folds"]["nEMO"]["inner_uar"]["SAVEE"].is_f64());
}

#[test]
fn a_corpus_left_out_beside_a_model_is_refused_before_any_work() {
    let out = temp("left-out-beside-model");
    std::fs::create_dir_all(&out).unwrap();
    let model = out.join("emotion-cnn.json");
    std::fs::write(&model, "{}").unwrap();
    let output = bin()
        .args([
            "train",
            "--data",
            "/nonexistent/corpora",
            "--protocols",
            "d",
        ])
        .args(["--leave-out", "tess", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("--leave-out would overwrite the (d) confusion images"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "{}");
}

#[test]
fn distilled_folds_train_and_score_their_teachers_first() {
    let (out, output) = quick_d(
        "distilled",
        &["--epochs", "1", "--leave-out", "tess", "--teachers", "2"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("teacher 2/2"), "{stderr}");
    let figures = read_json(&out.join("emotion-cnn-without-tess-figures.json"));
    let folds = figures["evaluation"]["d"]["folds"].as_object().unwrap();
    assert_eq!(folds.len(), 4);
    for (corpus, fold) in folds {
        let teachers = &fold["teachers"];
        let seeds: Vec<u64> = teachers["networks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["seed"].as_u64().unwrap())
            .collect();
        assert_eq!(
            seeds,
            [107, 108],
            "{corpus}: seeds apart from the taught network's"
        );
        assert_eq!(fold["networks"][0]["seed"], 7, "{corpus}");
        // The teachers' mean scored on the same clips as the network they taught.
        assert_eq!(
            teachers["test_report"]["n"], fold["report"]["n"],
            "{corpus}"
        );
        assert_eq!(
            teachers["test_uar"], teachers["test_report"]["uar"],
            "{corpus}"
        );
        let valid = teachers["valid_uar"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&valid), "{corpus}: {valid}");
    }
}

//! Training as a user runs it: quick training that learns and reloads, the corpora found by
//! their own names, and flags refused before any work.

use super::*;

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
    let meta = read_json(&out.join("emotion-cnn.json"));
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
    let mut answered_apart = 0;
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
        // The same networks with each set standardised by its own statistics: the same clips.
        let adapted = fold["set_normalised"].as_array().unwrap();
        assert_eq!(adapted.len(), 2, "{corpus}");
        for (measured, statistics) in adapted.iter().zip(["mean", "mean_and_std"]) {
            assert_eq!(measured["statistics"], statistics);
            assert_eq!(measured["report"]["n"], fold["report"]["n"], "{corpus}");
            let valid = measured["valid_uar"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&valid), "{corpus}: {valid}");
        }
        balanced_answers_are_the_same_clips(corpus, fold);
        // Sets smaller than the corpus, one drawn per size in the quick configuration, each
        // of that many clips: only the sizes below the corpus's clip count.
        let clips = fold["report"]["n"].as_u64().unwrap();
        let sized: Vec<(u64, u64)> = adapted[1]
            .get("by_set_size")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|s| {
                (
                    s["clips"].as_u64().unwrap(),
                    s["report"]["n"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(u64, u64)> = [25, 50, 100, 200]
            .into_iter()
            .filter(|&k| k < clips)
            .map(|k| (k, k))
            .collect();
        assert_eq!(sized, expected, "{corpus}: {clips} clips");
        assert!(adapted[0].get("by_set_size").is_none(), "{corpus}");
        // Sets of one emotion: one per class the corpus has (one draw in the quick
        // configuration), each of up to 50 of that class's clips.
        let supports: Vec<u64> = fold["report"]["per_class"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["support"].as_u64().unwrap())
            .filter(|&n| n > 0)
            .collect();
        let one = &adapted[1]["one_emotion"];
        assert_eq!(
            one["draws"].as_u64(),
            Some(supports.len() as u64),
            "{corpus}"
        );
        assert_eq!(
            one["report"]["n"].as_u64(),
            Some(supports.iter().map(|&n| n.min(50)).sum()),
            "{corpus}"
        );
        assert!(adapted[0].get("one_emotion").is_none(), "{corpus}");
        // Each network of the fold's model scored alone on the same clips.
        for network in fold["networks"].as_array().unwrap() {
            let alone = &network["test_report"];
            assert_eq!(alone["n"], fold["report"]["n"], "{corpus}");
            assert_eq!(network["test_uar"], alone["uar"], "{corpus}");
            if alone["predicted_share"] != fold["report"]["predicted_share"] {
                answered_apart += 1;
            }
        }
        let image = out.join(format!("confusion-d-{}.png", corpus.to_lowercase()));
        assert!(image.exists(), "{}", image.display());
    }
    assert!(
        answered_apart > 0,
        "every network alone answered exactly as the averaged model"
    );
    assert!(d["mean_uar"].as_f64().is_some() && d["mean_valid_uar"].as_f64().is_some());
    assert!(
        d["set_normalised"]["mean_and_std"]["mean_valid_uar"]
            .as_f64()
            .is_some()
    );
    assert!(
        stderr.contains("sets of 25 clips (1 drawn per corpus,"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sets of 50 clips of one emotion (5 corpora)"),
        "{stderr}"
    );
    assert!(stderr.contains("(d) mean UAR"), "{stderr}");
    assert_eq!(d["balanced"][1]["folds"], 5, "{}", d["balanced"]);
    assert!(stderr.contains("(d) balanced answers (None)"), "{stderr}");
    assert_eq!(
        d["balanced"][0]["among"]["corpora"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "nEMO and ASED answered among their own classes"
    );
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
    let (report, stderr) = json_output(
        bin()
            .args(["evaluate", "--json", "--data"])
            .arg(data().join("originals")),
    );
    assert!(stderr.contains("9 clips"), "{stderr}");
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
    let (report, stderr) = json_output(bin().args(["evaluate", "--json", "--data"]).arg(&dir));
    assert!(stderr.contains("CREMA-D"), "{stderr}");
    assert!(
        stderr.contains("6 clips; 1 audio files skipped"),
        "{stderr}"
    );
    assert_eq!(report["report"]["n"], 6);
    assert_eq!(
        report["report"]["per_class"][6]["support"], 0,
        "no surprise in CREMA-D"
    );
    assert!(report["report"]["macro_f1"].as_f64().unwrap().is_finite());
}

#[test]
fn kept_frame_rows_travel_in_the_metadata_and_predict_answers_with_them() {
    let out = temp("keep-frame-rows");
    let cache = out.join("cache");
    let output = train_into(
        &out,
        &[
            "--quick",
            "--protocols",
            "ship",
            "--epochs",
            "1",
            "--drop-frame-rows",
            "false",
            "--cache",
            cache.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let model = out.join("emotion-cnn.json");
    let meta = read_json(&model);
    assert_eq!(meta["normalization"]["drop_frame_rows"], false);
    let clip = data().join("savee/DC_a01.flac");
    let (answer, _) = json_output(
        bin()
            .args(["predict", "--json", "--model"])
            .arg(&model)
            .arg(&clip),
    );
    let total: f64 = answer["probabilities"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-4, "{answer}");
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
fn bad_training_flags_fail_at_once_before_any_clip_is_read() {
    let out_dir = temp("bad-flags");
    for (flag, expected) in [
        (
            "--adversarial-weight=-1",
            "--adversarial-weight must be between 0 (off) and 10",
        ),
        ("--channels=8,8", "--channels takes three counts"),
        ("--dropout=0.2", "--dropout takes two shares"),
        ("--dropout=0.2,1", "head dropout must be in [0, 1), got 1"),
        (
            "--average-from=1",
            "--average-from is the share of the epochs where averaging starts",
        ),
        (
            "--weight-decay=0.5",
            "--weight-decay is an L2 penalty between 0 (off) and 0.01",
        ),
        (
            "--corpus-normalisation=true",
            "--corpus-normalisation is an experiment of protocol (d) alone",
        ),
        ("--leave-out=savee", "--leave-out is for protocol (d) alone"),
        ("--leave-out=swahili", "invalid value 'swahili'"),
        (
            "--risk-variance=200",
            "--risk-variance is the weight of the corpora's loss variance",
        ),
        (
            "--risk-variance=1 --mixup=0.2",
            "--risk-variance needs each window's own loss",
        ),
    ] {
        // A data root that does not exist: had the flags been checked after reading it, the
        // error would be about the data instead.
        let output = bin()
            .args(["train", "--data", "/nonexistent/corpora", "--quick"])
            .args(flag.split(' '))
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{flag} was accepted");
        assert!(stderr.contains(expected), "{flag}: {stderr}");
    }
}

#[test]
fn distillation_flags_out_of_range_are_refused_before_any_work() {
    for (flags, message) in [
        (
            &["--distil-weight", "0.5"][..],
            "--distil-weight needs --teachers N",
        ),
        (&["--teachers", "9"][..], "--teachers is at most 8"),
        (
            &["--teachers", "2", "--distil-weight", "0"][..],
            "above 0 and at most 1, got 0",
        ),
    ] {
        let out = temp("distil-refused");
        let mut args = vec!["--quick"];
        args.extend_from_slice(flags);
        let output = train_into(&out, &args);
        assert!(!output.status.success(), "{flags:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{flags:?}: {stderr}");
        assert!(!out.join("emotion-cnn.json").exists());
    }
}

/// A (d) fold's balanced answers: the plain answers beside them are the fold's own (with the
/// training statistics) and the set-normalised ones (with the set's mean and deviation), on
/// the same clips, so that balancing is the only difference.
fn balanced_answers_are_the_same_clips(corpus: &str, fold: &serde_json::Value) {
    let balanced = fold["balanced"].as_array().unwrap();
    assert_eq!(balanced.len(), 2, "{corpus}");
    let (kept, own) = (&balanced[0], &balanced[1]);
    assert!(kept["statistics"].is_null(), "{corpus}");
    assert_eq!(own["statistics"], "mean_and_std", "{corpus}");
    for field in ["n", "uar", "predicted_share"] {
        assert_eq!(
            kept["report_plain"][field], fold["report"][field],
            "{corpus} {field}"
        );
        assert_eq!(
            own["report_plain"][field], fold["set_normalised"][1]["report"][field],
            "{corpus} {field}"
        );
    }
    assert_eq!(
        own["valid_uar_plain"], fold["set_normalised"][1]["valid_uar"],
        "{corpus}"
    );
    for measured in balanced {
        assert_eq!(measured["report"]["n"], fold["report"]["n"], "{corpus}");
        let valid = measured["valid_uar"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&valid), "{corpus}: {valid}");
    }
    // Sets of the sizes users bring, and of one emotion: the standardised sets' draws, each
    // answered both ways (the training statistics only).
    assert!(own.get("by_set_size").is_none(), "{corpus}");
    // (None drawn when the quick corpus holds fewer clips than the smallest size.)
    let standardised = &fold["set_normalised"][1];
    let listed = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
    let sized = listed(&kept["by_set_size"]);
    let theirs = listed(&standardised["by_set_size"]);
    assert_eq!(sized.len(), theirs.len(), "{corpus}");
    let mut sets: Vec<&serde_json::Value> = sized.iter().collect();
    sets.push(&kept["one_emotion"]);
    let mut theirs: Vec<&serde_json::Value> = theirs.iter().collect();
    theirs.push(&standardised["one_emotion"]);
    for (ours, theirs) in sets.iter().zip(theirs) {
        for field in ["clips", "draws"] {
            assert_eq!(ours[field], theirs[field], "{corpus} {field}");
        }
        assert_eq!(ours["report"]["n"], ours["report_plain"]["n"], "{corpus}");
    }
    for ours in &sized {
        let (n, clips, draws) = (&ours["report"]["n"], &ours["clips"], &ours["draws"]);
        assert_eq!(
            n.as_u64(),
            Some(clips.as_u64().unwrap() * draws.as_u64().unwrap())
        );
    }
    // The same clips answered among the corpus's own classes, for the corpora that lack one
    // (the training statistics only): no answer falls outside them.
    assert!(own.get("among").is_none(), "{corpus}");
    let absent: &[usize] = match corpus {
        "nEMO" => &[5],
        "ASED" => &[5, 6],
        _ => {
            assert!(kept.get("among").is_none(), "{corpus}");
            return;
        }
    };
    let among = &kept["among"];
    assert_eq!(
        among["classes"].as_array().unwrap().len(),
        7 - absent.len(),
        "{corpus}"
    );
    for report in [&among["report"], &among["report_balanced"]] {
        assert_eq!(report["n"], fold["report"]["n"], "{corpus}");
        for &k in absent {
            assert_eq!(report["predicted_share"][k], 0.0, "{corpus}");
        }
    }
}

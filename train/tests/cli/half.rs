//! `half`: an f32 model stored in f16 after its answers are compared on real clips.

use super::*;

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
    let metadata = read_json(&json);
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

//! `features` as a user runs it: the same JSON on one thread and on two, and a thread count of
//! zero refused with a reason.

use super::{bin, data, temp, write_wav};

#[test]
fn features_are_the_same_on_any_thread_count_and_zero_threads_are_refused() {
    let clip = data().join("ravdess/Actor_01/03-01-05-01-01-01-01.flac");
    // 40 s, so that two threads do split its frames (at least 1,024 each).
    let long = temp("features").join("long.wav");
    write_wav(&long, 16_000, 40.0, 220.0);
    for file in [clip.as_path(), long.as_path()] {
        let run = |threads: &str| {
            let output = bin()
                .args(["features", "--json", "--threads", threads])
                .arg(file)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(output.status.success(), "{}: {stderr}", file.display());
            output.stdout
        };
        let one = run("1");
        assert!(String::from_utf8_lossy(&one).contains("\"mfcc\""));
        assert_eq!(one, run("2"), "{}", file.display());
    }
    let zero = bin()
        .args(["features", "--threads", "0"])
        .arg(&clip)
        .output()
        .unwrap();
    assert!(!zero.status.success());
    assert!(zero.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&zero.stderr);
    assert!(stderr.contains("at least one thread is needed"), "{stderr}");
}

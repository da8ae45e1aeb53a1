//! Snapshots recorded from one reference server match a fresh one (all ids, secrets and
//! timestamps new); a server that answers differently fails with a diff; the review workflow
//! (`.snap.new`, `CI=true`, missing snapshots) behaves as documented; and the snapshot set in
//! the repository matches the embedded reference server.

use std::path::Path;

use crate::support::{ORG, Served, bin, scratch};

fn pending(dir: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap.new"))
        .collect()
}

#[test]
fn record_then_compare_across_instances_and_catch_drift() {
    let dir = scratch("snapshots");
    let dir = dir.to_str().unwrap();
    let record = bin()
        .args(["run", "--snapshots", dir, "--update-snapshots"])
        .output()
        .expect("runs");
    assert_eq!(
        record.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&record.stdout)
    );
    let count = std::fs::read_dir(dir).unwrap().count();
    assert!(
        count >= 100,
        "one snapshot per trial with exchanges, got {count}"
    );

    // A fresh embedded server: every id, secret and timestamp differs, nothing else.
    let compare = bin()
        .args(["run", "--snapshots", dir])
        .env("CI", "true")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&compare.stdout);
    assert_eq!(compare.status.code(), Some(0), "{stdout}");

    // A server that answers 200 where it answered 201 drifts from the recording.
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &["--fault", "create-status-200"]);
    let drift = |ci: bool| {
        let mut cmd = bin();
        cmd.args([
            "run",
            "--address",
            &served.address,
            "--organization",
            ORG,
            "--snapshots",
            dir,
        ])
        .args(["--exact", "org_token::read_returns_created_token"])
        .env("TFE_TOKEN", token.expose());
        if ci {
            cmd.env("CI", "true");
        }
        cmd.output().expect("runs")
    };
    let out = drift(true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(
        stdout.contains("--> 201 application/vnd.api+json"),
        "recorded status: {stdout}"
    );
    assert!(
        stdout.contains("+-> 200 application/vnd.api+json"),
        "new status: {stdout}"
    );
    assert!(pending(dir).is_empty(), "with CI=true nothing is written");

    // Outside CI the new form waits for `cargo insta review` next to the old one.
    let out = drift(false);
    assert_eq!(out.status.code(), Some(101));
    assert_eq!(
        pending(dir),
        vec!["org_token__read_returns_created_token.snap.new".to_string()]
    );
    let new = std::fs::read_to_string(Path::new(dir).join(&pending(dir)[0])).unwrap();
    assert!(new.contains("-> 200 application/vnd.api+json"), "{new}");
}

#[test]
fn a_missing_snapshot_fails_saying_how_to_record_it() {
    let dir = scratch("missing-snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    let out = bin()
        .args([
            "run",
            "--snapshots",
            dir.to_str().unwrap(),
            "--exact",
            "org_token::expiry_default",
        ])
        .env("CI", "true")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "{stdout}");
    assert!(
        stdout.contains("record it with --update-snapshots"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "CI=true writes nothing"
    );
}

#[test]
fn the_repository_snapshots_match_the_reference_server() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/reference");
    for profile in ["hcp", "tfe"] {
        let out = bin()
            .args([
                "run",
                "--profile",
                profile,
                "--snapshots",
                dir.to_str().unwrap(),
            ])
            .env("CI", "true")
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "the suite or the reference server changed what is exchanged; if that is intended, \
             re-record with `cargo run -- run --profile hcp --snapshots snapshots/reference \
             --update-snapshots` and review the diff:\n{stdout}"
        );
    }
}

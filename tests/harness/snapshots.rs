//! Snapshots recorded from one reference server match a fresh one (all ids, secrets and
//! timestamps new); a server that answers differently fails with a diff.

use crate::support::{ORG, Served, bin, scratch};

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
        count >= 16,
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

    // A server that shows the secret on read drifts from the recording.
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &["--fault", "create-status-200"]);
    let drift = bin()
        .args([
            "run",
            "--address",
            &served.address,
            "--organization",
            ORG,
            "--snapshots",
            dir,
        ])
        .args(["--exact", "org_token::read_returns_created_token"])
        .env("TFE_TOKEN", token.expose())
        .env("CI", "true")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&drift.stdout);
    assert_eq!(drift.status.code(), Some(101), "{stdout}");
    assert!(
        stdout.contains("-    \"status\": 201"),
        "the diff shows the recorded status: {stdout}"
    );
    assert!(
        stdout.contains("+    \"status\": 200"),
        "the diff shows the new status: {stdout}"
    );
    let pending: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "new"))
        .collect();
    assert!(pending.is_empty(), "with CI=true nothing is written");
}

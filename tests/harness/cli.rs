//! The command line is a contract scripts drive: subcommands, flags, environment variables
//! and exit codes (0 passed, 101 a check failed, 2 usage or configuration).

use std::{process::Output, time::Instant};

use tfe_contract::suite;

use crate::support::{ORG, Served, bin, outcome};

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_without_a_target_checks_the_embedded_server_and_passes() {
    let out = bin().arg("run").output().expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for check in suite::all() {
        let shown = outcome(&stdout, check.name).unwrap_or("missing");
        if check.applies_to(tfe_contract::config::Profile::Tfe) {
            assert_eq!(shown, "ok", "{}:\n{stdout}", check.name);
        } else {
            assert!(
                shown.starts_with("ignored (not in profile tfe"),
                "{}: {shown}",
                check.name
            );
        }
    }
    assert!(stderr.contains("embedded reference server"), "{stderr}");
}

#[test]
fn a_fault_exits_101_and_names_the_check() {
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &["--fault", "rotation-keeps-old-token"]);
    let out = bin()
        .args(["run", "--address", &served.address, "--organization", ORG])
        .env("TFE_TOKEN", token.expose())
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(101), "{stdout}\n{stderr}");
    assert_eq!(
        outcome(&stdout, "org_token::create_replaces_previous"),
        Some("FAILED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"use the first secret\""),
        "the failure names the exchange: {stdout}"
    );
}

#[test]
fn configuration_errors_exit_2_with_one_line() {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "run",
                "--address",
                "ftp://x",
                "--token",
                "t",
                "--organization",
                "o",
            ],
            "bad address",
        ),
        (
            &[
                "run",
                "--address",
                "http://127.0.0.1:1",
                "--organization",
                "o",
            ],
            "missing token",
        ),
        (
            &["run", "--address", "http://127.0.0.1:1", "--token", "t"],
            "missing organization",
        ),
        (
            &[
                "run",
                "--address",
                "http://127.0.0.1:1",
                "--token",
                "t",
                "--organization",
                "o",
            ],
            "target unreachable",
        ),
        (&["run", "--profile", "cloud"], "invalid value"),
    ];
    for (args, expected) in cases {
        let started = Instant::now();
        let out = bin().args(args).output().expect("runs");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}\n{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        if expected != "invalid value" {
            assert_eq!(
                stderr.trim().lines().count(),
                1,
                "{args:?}: one line, got {stderr}"
            );
        }
        // A closed port is refused at once: the run must say so within a second (it takes
        // about 20 ms), never hang.
        let limit = if expected == "target unreachable" {
            1
        } else {
            10
        };
        assert!(
            started.elapsed().as_secs_f64() < f64::from(limit),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn environment_variables_stand_in_for_flags() {
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &[]);
    let out = bin()
        .args(["run", "--exact", "auth::missing_token_unauthorized"])
        .env("TFE_ADDRESS", &served.address)
        .env("TFE_TOKEN", token.expose())
        .env("TFE_ORGANIZATION", ORG)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(stderr.contains(&served.address), "{stderr}");
}

#[test]
fn list_shows_what_each_profile_runs_and_contacts_nothing() {
    use tfe_contract::config::Profile;
    for profile in Profile::ALL {
        // A closed port: listing must not need the target.
        let base = [
            "run",
            "--list",
            "--profile",
            profile.name(),
            "--address",
            "http://127.0.0.1:1",
        ];
        let out = bin().args(base).output().expect("runs");
        let (listed, _) = text(&out);
        assert_eq!(out.status.code(), Some(0));
        let out = bin().args(base).args(["--ignored"]).output().expect("runs");
        let (ignored, _) = text(&out);
        // The agent-token trials run under tfe and hcp, not under the seeds' legacy API.
        let agents = listed.contains("agent_token::create_returns_token_document: test")
            && listed.contains("authz::create_agent_token::outsider: test")
            && listed.contains("leak::list_agent_tokens: test");
        assert_eq!(agents, profile != Profile::Legacy, "{profile}:\n{listed}");
        for check in suite::all() {
            let line = format!("{}: test", check.name);
            let runs = check.applies_to(profile);
            assert_eq!(listed.contains(&line), runs, "{profile}: {line}\n{listed}");
            assert_eq!(
                ignored.contains(&line),
                !runs,
                "{profile} --ignored: {line}"
            );
        }
    }
    // Against a non-loopback address the destructive trials are listed as ignored.
    let out = bin()
        .args([
            "run",
            "--list",
            "--ignored",
            "--address",
            "https://tfe.example.com",
        ])
        .output()
        .expect("runs");
    let (ignored, _) = text(&out);
    assert!(
        ignored.contains("org_token::create_replaces_previous: test"),
        "{ignored}"
    );
    assert!(
        !ignored.contains("auth::missing_token_unauthorized"),
        "{ignored}"
    );
    // The agent pools and tokens a run makes are its own: nothing destructive about them
    // (only the organization-token persona is, as in every row of the matrix).
    let out = bin()
        .args(["run", "--list", "--ignored", "--profile", "hcp"])
        .args(["--address", "https://tfe.example.com"])
        .output()
        .expect("runs");
    let (ignored, _) = text(&out);
    assert!(
        !ignored.lines().any(|l| l.starts_with("agent_token::")),
        "{ignored}"
    );
}

#[test]
fn help_explains_and_never_shows_the_token() {
    let secret = "helptestsecretvalue.atlasv1.never-shown";
    let out = bin()
        .args(["run", "--help"])
        .env("TFE_TOKEN", secret)
        .output()
        .expect("runs");
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    for needle in [
        "TFE_ADDRESS",
        "TFE_TOKEN",
        "TFE_ORGANIZATION",
        "--allow-destructive",
        "Exit codes",
        "--test-threads",
    ] {
        assert!(stdout.contains(needle), "--help lacks {needle}:\n{stdout}");
    }
    assert!(!stdout.contains(secret), "--help printed the token");
    let out = bin().arg("--version").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn serve_lists_its_faults_and_rejects_unknown_ones() {
    let out = bin()
        .args(["serve", "--list-faults"])
        .output()
        .expect("runs");
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    for row in tfe_contract::server::Fault::TABLE {
        assert!(stdout.contains(row.name), "{stdout}");
    }
    let out = bin()
        .args(["serve", "--fault", "no-such-fault"])
        .output()
        .expect("runs");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("unknown fault"), "{stderr}");
}

#[test]
fn a_real_account_is_told_what_was_not_checked() {
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &[]);
    let out = bin()
        .args([
            "run",
            "--address",
            &served.address,
            "--organization",
            ORG,
            "--assume-remote",
        ])
        .env("TFE_TOKEN", token.expose())
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("not checked:") && stderr.contains("--allow-destructive"),
        "{stderr}"
    );
    let shown = outcome(&stdout, "org_token::create_replaces_previous").unwrap_or_default();
    assert!(shown.starts_with("ignored (destructive"), "{shown}");
}

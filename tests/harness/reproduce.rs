//! From a red line to a fix: the `curl` lines printed with a finding, run as printed against
//! the faulty server, get the answer the finding judged; `tfe-contract replay` of the finding
//! fails while the fault is there and passes once it is gone; a replay of what no report
//! recorded is a usage error.

use std::process::Command;

use tfe_contract::{
    app,
    config::Profile,
    record::RunReport,
    server::{self, Fault},
};

use crate::support::{ORG, Reference, bin, scratch};

/// Whether `tool` runs here; the tests that need it say so when it does not.
fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A run of the trials `filter` names (exactly) against `reference`, its JSON report written.
fn run_one(
    reference: &Reference,
    profile: Profile,
    trial: &str,
) -> (RunReport, std::path::PathBuf) {
    let json = scratch("report.json");
    let mut config = reference.config(profile);
    config.report_json = Some(json.clone());
    config.libtest.filter = Some(trial.to_string());
    config.libtest.exact = true;
    (app::run(config).expect("the run starts"), json)
}

/// Runs `lines` with `sh`, the token exported as TFE_TOKEN, and returns what it printed.
fn sh(lines: &[String], token: &str) -> String {
    let out = Command::new("sh")
        .arg("-ec")
        .arg(lines.join("\n"))
        .env("TFE_TOKEN", token)
        .env_remove("TFE_ADDRESS")
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "the reproduction failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The status of the last `HTTP/1.1 NNN` line `curl -i` printed.
fn last_status(output: &str) -> Option<u16> {
    output
        .lines()
        .rev()
        .find(|l| l.starts_with("HTTP/"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
}

#[test]
fn the_printed_curl_lines_reproduce_the_finding_against_the_faulty_server() {
    if !have("curl") || !have("jq") {
        eprintln!(
            "SKIPPED the_printed_curl_lines_reproduce_the_finding_against_the_faulty_server: \
             curl and jq are needed to run a reproduction (curl: {}, jq: {})",
            have("curl"),
            have("jq")
        );
        return;
    }
    // A trial whose request needs what earlier requests handed out (the outsider's team and
    // its secret, the user's id from the probe), and a drawn sequence whose last request uses
    // a secret a rotation should have revoked.
    for (fault, trial, expected) in [
        (
            Fault::Forbidden403,
            "authz::create_user_token::outsider",
            "expected 404",
        ),
        (
            Fault::RotationKeepsOldToken,
            "sequences::org_token",
            "expected 401",
        ),
    ] {
        let reference = Reference::start(server::Profile::Tfe, &[fault], &[]);
        let (report, json) = run_one(&reference, Profile::Tfe, trial);
        let record = report.trial(trial).expect("recorded");
        let finding = record
            .findings
            .iter()
            .find(|f| f.rule == "status")
            .unwrap_or_else(|| panic!("{trial}: a status finding, got {:?}", record.findings));
        assert!(finding.detail().contains(expected), "{}", finding.detail());
        let lines = &finding.reproduce;
        assert!(lines.len() >= 2, "{trial}: {lines:#?}");
        // Printed: under the finding in the trial's message, and in the JSON report.
        let message = record.message.as_deref().unwrap_or_default();
        for line in lines {
            assert!(
                message.contains(line.as_str()),
                "{trial}: not in the message: {line}"
            );
        }
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).unwrap();
        let in_json: Vec<String> = doc["trials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == trial)
            .and_then(|t| {
                t["findings"]
                    .as_array()?
                    .iter()
                    .find(|f| f["rule"] == "status")
            })
            .map(|f| serde_json::from_value(f["reproduce"].clone()).unwrap())
            .unwrap_or_default();
        assert_eq!(&in_json, lines, "{trial}: the JSON report's reproduce");
        // No secret's value: the caller's token is $TFE_TOKEN, minted ones are variables.
        let mut secrets = crate::support::token_values(&report);
        secrets.insert(reference.token.expose().to_string());
        for line in lines {
            for secret in &secrets {
                assert!(
                    !line.contains(secret.as_str()),
                    "{trial}: a secret in {line}"
                );
            }
        }
        assert!(lines.iter().any(|l| l.contains("$TFE_TOKEN")));

        // Run as printed: the same status, so the same broken rule.
        let output = sh(lines, reference.token.expose());
        assert_eq!(
            last_status(&output),
            finding.status,
            "{trial}: the reproduction got another answer:\n{output}\nfrom:\n{}",
            lines.join("\n")
        );
        // And the fixed server answers as the contract says.
        let fixed = Reference::start(server::Profile::Tfe, &[], &[]);
        let against_fixed: Vec<String> = lines
            .iter()
            .map(|l| l.replace(&reference.address(), &fixed.address()))
            .collect();
        let output = sh(&against_fixed, fixed.token.expose());
        assert_ne!(last_status(&output), finding.status, "{trial}:\n{output}");
    }
}

#[test]
fn replay_fails_while_the_fault_is_there_and_passes_once_it_is_gone() {
    for (fault, trial) in [
        (Fault::RotationKeepsOldToken, "sequences::org_token"),
        (Fault::Forbidden403, "authz::create_user_token::outsider"),
    ] {
        let faulty = Reference::start(server::Profile::Tfe, &[fault], &[]);
        let (report, json) = run_one(&faulty, Profile::Tfe, trial);
        assert_eq!(report.exit_code(), 101, "{trial} fails under {fault:?}");
        drop(report);
        let fixed = Reference::start(server::Profile::Tfe, &[], &[]);
        let replay = |reference: &Reference| {
            let out = bin()
                .args(["replay"])
                .arg(&json)
                .args([
                    trial,
                    "--address",
                    &reference.address(),
                    "--organization",
                    ORG,
                ])
                .env("TFE_TOKEN", reference.token.expose())
                .output()
                .expect("replay runs");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !text.contains(reference.token.expose()),
                "the replay showed the token"
            );
            (out.status.code(), text)
        };
        let (code, text) = replay(&faulty);
        assert_eq!(code, Some(101), "{trial} still fails:\n{text}");
        assert!(text.contains(&format!("test {trial} ... FAILED")), "{text}");
        if trial.starts_with("sequences::") {
            // The recorded smallest case, asked again, not a new search.
            let recorded = std::fs::read_to_string(&json).unwrap();
            let doc: serde_json::Value = serde_json::from_str(&recorded).unwrap();
            let case = doc["trials"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == trial)
                .and_then(|t| t["findings"][0]["case"]["description"].as_str())
                .expect("the case is recorded")
                .to_string();
            assert!(
                text.contains(&format!("(0 smaller tried): {case}")),
                "{text}"
            );
        }
        let (code, text) = replay(&fixed);
        assert_eq!(code, Some(0), "{trial} passes once fixed:\n{text}");
        assert!(text.contains(&format!("test {trial} ... ok")), "{text}");
    }
}

#[test]
fn a_replay_of_what_no_report_recorded_is_a_usage_error() {
    let reference = Reference::start(server::Profile::Tfe, &[], &[]);
    let (_, json) = run_one(&reference, Profile::Tfe, "auth::missing_token_unauthorized");
    let not_json = scratch("not-a-report.json");
    std::fs::write(&not_json, "{").unwrap();
    for (report, trial, says) in [
        (json.clone(), "no::such_trial", "has no trial"),
        (
            scratch("missing.json"),
            "auth::missing_token_unauthorized",
            "cannot read",
        ),
        (
            not_json,
            "auth::missing_token_unauthorized",
            "not a JSON report",
        ),
    ] {
        let out = bin()
            .arg("replay")
            .arg(&report)
            .args([
                trial,
                "--address",
                &reference.address(),
                "--organization",
                ORG,
            ])
            .env("TFE_TOKEN", reference.token.expose())
            .output()
            .expect("replay runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{trial}: {stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

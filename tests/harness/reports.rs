//! Reports: JUnit XML (one testcase per trial) that parses back, a JSON report with every
//! trial and its redacted exchanges, a coverage summary naming every operation and documented
//! status; and neither report holds any token value the run saw.

use std::collections::BTreeSet;

use serde_json::Value;
use tfe_contract::{
    app,
    config::{Profile, RunConfig, TargetSpec},
    server::{self, Fault},
    spec::Spec,
    suite,
};

use crate::support::{ORG, Reference, bin, scratch};

#[test]
fn junit_and_json_reports_are_complete_and_hold_no_secret() {
    // A server that shows secrets where it must not: failures then quote bodies with secrets.
    let faults = [
        Fault::ReadShowsSecret,
        Fault::TokenShowRevealsSecret,
        Fault::ListShowsSecrets,
    ];
    let reference = Reference::start(server::Profile::Hcp, &faults, &[]);
    let junit = scratch("report.xml");
    let json = scratch("report.json");
    let mut config = RunConfig::new(TargetSpec::Remote {
        address: reference.address(),
        token: Some(reference.token.clone()),
        organization: Some(ORG.into()),
    });
    config.profile = Profile::Hcp;
    config.junit = Some(junit.clone());
    config.report_json = Some(json.clone());
    config.libtest.logfile = Some(scratch("libtest.log").display().to_string());
    config.quiet = true;
    let report = app::run(config).expect("runs");
    assert_eq!(report.exit_code(), 101);

    let mut secrets = crate::support::token_values(&report);
    secrets.insert(reference.token.expose().to_string());
    assert!(
        secrets.len() > 100,
        "the run saw {} token values",
        secrets.len()
    );
    let junit_text = std::fs::read_to_string(&junit).expect("junit written");
    let json_text = std::fs::read_to_string(&json).expect("json written");
    for secret in &secrets {
        assert!(
            !junit_text.contains(secret.as_str()),
            "the JUnit report holds a secret"
        );
        assert!(
            !json_text.contains(secret.as_str()),
            "the JSON report holds a secret"
        );
    }

    // JUnit: parses back, one testcase per trial, failures carry their message.
    let parsed = quick_junit::Report::deserialize_from_str(&junit_text).expect("valid JUnit XML");
    let cases: Vec<_> = parsed
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    let names: BTreeSet<String> = cases.iter().map(|c| c.name.to_string()).collect();
    let all: BTreeSet<String> = suite::all().iter().map(|c| c.name.to_string()).collect();
    assert_eq!(names, all);
    assert_eq!(cases.len(), all.len());
    let failed = cases
        .iter()
        .find(|c| c.name.as_str() == "org_token::secret_shown_only_on_create")
        .expect("listed");
    let xml_case = junit_text
        .split("<testcase")
        .find(|c| c.contains("org_token::secret_shown_only_on_create"))
        .unwrap_or_default();
    assert!(
        xml_case.contains("<failure") && xml_case.contains("expected attributes.token null"),
        "{xml_case}"
    );
    assert!(matches!(
        failed.status,
        quick_junit::TestCaseStatus::NonSuccess { .. }
    ));

    // JSON: every trial, with operations and redacted exchanges.
    let doc: Value = serde_json::from_str(&json_text).expect("the JSON report parses");
    let trials = doc["trials"].as_array().expect("trials");
    assert_eq!(trials.len(), all.len());
    let t = trials
        .iter()
        .find(|t| t["name"] == "team_tokens::read_hides_secret")
        .expect("listed");
    assert_eq!(t["outcome"], "failed");
    assert!(t["duration-ms"].as_f64().is_some());
    assert!(
        t["operations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == "getAuthenticationToken")
    );
    let ex = &t["exchanges"].as_array().unwrap()[0];
    for key in ["method", "path", "headers", "body"] {
        assert!(ex["request"].get(key).is_some(), "request.{key}");
    }
    for key in ["status", "headers", "body"] {
        assert!(ex["response"].get(key).is_some(), "response.{key}");
    }
    assert_eq!(ex["request"]["headers"]["authorization"], "Bearer [secret]");

    // Coverage: every operation and every documented status.
    let coverage = doc["coverage"]["operations"].as_array().expect("coverage");
    let spec = Spec::get();
    assert_eq!(coverage.len(), spec.operations().len());
    for op in spec.operations() {
        let row = coverage
            .iter()
            .find(|r| r["operation"] == op.id.as_str())
            .expect("row");
        let statuses: Vec<u64> = row["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_u64().unwrap())
            .collect();
        // 429 is documented everywhere but counts only where it happened (none here).
        let documented: Vec<u64> = op
            .responses
            .keys()
            .filter(|s| **s != 429)
            .map(|s| u64::from(*s))
            .collect();
        assert_eq!(statuses, documented, "{}", op.id);
    }
}

#[test]
fn every_run_ends_with_the_coverage_summary() {
    let out = bin()
        .args(["run", "--format", "terse"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("spec coverage:"), "{stderr}");
    for op in Spec::get().operations() {
        let line = stderr
            .lines()
            .find(|l| l.split_whitespace().next() == Some(op.id.as_str()))
            .unwrap_or_else(|| panic!("{} missing from {stderr}", op.id));
        for status in op.responses.keys().filter(|s| **s != 429) {
            assert!(
                line.split_whitespace()
                    .any(|c| c.trim_start_matches('-') == status.to_string()),
                "{} {status} missing from {line}",
                op.id
            );
        }
    }
}

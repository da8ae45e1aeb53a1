//! A harness bug is not a contract failure: a trial that panics is its own outcome in the
//! records and in every report, the run exits 70 rather than 101, and the other trials are
//! unaffected. The run configuration's test-only `panic_in_trial` makes one trial panic.

use serde_json::Value;
use tfe_contract::{
    app,
    baseline::Baseline,
    config::Profile,
    record::{EXIT_HARNESS_BUG, TrialOutcome},
    report::causes::Causes,
    server,
};

use crate::support::{Reference, scratch};

const PANICKING: &str = "org_token::expiry_default";

#[test]
fn a_trial_that_panics_is_a_harness_bug_in_every_report() {
    let reference = Reference::start(server::Profile::Tfe, &[], &[]);
    let (junit, json, html, baseline) = (
        scratch("panic.xml"),
        scratch("panic.json"),
        scratch("panic.html"),
        scratch("panic-baseline.toml"),
    );
    let mut config = reference.config(Profile::Tfe);
    config.junit = Some(junit.clone());
    config.report_json = Some(json.clone());
    config.report_html = Some(html.clone());
    config.write_baseline = Some(baseline.clone());
    config.panic_in_trial = Some(PANICKING.into());
    let log = config.libtest.logfile.clone().expect("a libtest log");
    let report = app::run(config).expect("the run starts");

    // The records: its own outcome, a message that says what it is, and the exit code.
    let trial = report.trial(PANICKING).expect("recorded");
    assert_eq!(trial.outcome, TrialOutcome::Panicked);
    let message = trial.message.as_deref().unwrap_or_default();
    assert!(
        message.starts_with(
            "the trial panicked: a bug of the harness, not of the server; please report it"
        ),
        "{message}"
    );
    assert_eq!(report.exit_code(), EXIT_HARNESS_BUG);
    assert_eq!(EXIT_HARNESS_BUG, 70);
    assert_eq!(report.panicked().count(), 1);
    // The other trials are unaffected: nothing else fails, and the run is otherwise clean.
    assert_eq!(
        report.failed().count(),
        0,
        "{}",
        crate::support::explain(&report)
    );
    let others_pass = report
        .trials
        .iter()
        .filter(|t| t.name != PANICKING)
        .all(|t| matches!(t.outcome, TrialOutcome::Passed | TrialOutcome::Ignored(_)));
    assert!(others_pass);
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
    assert!(Causes::of(&report).is_empty(), "causes do not count panics");

    // libtest still fails the line (it knows no other way), its message saying what it is.
    let log = std::fs::read_to_string(&log).expect("libtest log written");
    let line = log
        .lines()
        .find(|l| l.starts_with(&format!("test {PANICKING} ")))
        .expect("libtest's line");
    assert!(line.ends_with("... FAILED"), "{line}");
    assert!(
        log.contains(&format!(
            "---- {PANICKING} ----\nthe trial panicked: a bug of the harness"
        )),
        "{log}"
    );

    // JUnit: an error of type harness-bug, not a failure.
    let junit = std::fs::read_to_string(&junit).expect("JUnit written");
    let case = junit
        .split("<testcase")
        .find(|c| c.contains(&format!("name=\"{PANICKING}\"")))
        .expect("a testcase");
    assert!(
        case.contains("<error") && case.contains("type=\"harness-bug\""),
        "{case}"
    );
    assert!(!case.contains("<failure"), "{case}");
    assert_eq!(junit.matches("<failure").count(), 0, "no other trial fails");
    quick_junit::Report::deserialize_from_str(&junit).expect("valid JUnit XML");

    // JSON: the outcome and its count.
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("JSON written")).expect("JSON");
    assert_eq!(json["summary"]["panicked"], 1);
    assert_eq!(json["summary"]["failed"], 0);
    assert_eq!(json["summary"]["exit-code"], 70);
    let outcome = json["trials"]
        .as_array()
        .expect("trials")
        .iter()
        .find(|t| t["name"] == PANICKING)
        .map(|t| t["outcome"].clone());
    assert_eq!(outcome, Some(Value::from("panicked")));

    // HTML: a class of its own, listed apart from failures.
    let html = std::fs::read_to_string(&html).expect("HTML written");
    assert!(
        html.contains("<details class=\"trial panic\""),
        "a trial in its own class"
    );
    assert!(html.contains("<section id=\"panics\">"));
    assert!(!html.contains("<section id=\"failures\">"));
    assert!(html.contains("class=\"verdict panic\""));

    // The baseline never lists it.
    let written = Baseline::load(&baseline).expect("the baseline is written");
    assert!(!written.known.contains_key(PANICKING), "{written:?}");
}

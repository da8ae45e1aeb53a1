//! JUnit XML: one testcase per trial, the redacted failure message as the failure text; a trial
//! that panicked is an `<error>` of type `harness-bug`, not a `<failure>`.

use std::{fs, path::Path};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::{
    record::{RunReport, TrialOutcome},
    redact,
};

pub fn render(report: &RunReport) -> Result<String, String> {
    let mut suite = TestSuite::new("tfe-contract");
    let mut total = std::time::Duration::ZERO;
    for trial in &report.trials {
        let status = match &trial.outcome {
            TrialOutcome::Passed => TestCaseStatus::success(),
            TrialOutcome::Failed => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let message = trial.message.as_deref().unwrap_or("failed");
                let first = message
                    .lines()
                    .find(|l| l.starts_with("  "))
                    .unwrap_or(message);
                status.set_message(redact::text(first.trim()));
                status.set_type("contract");
                status.set_description(redact::text(message));
                status
            }
            // A bug of the harness says nothing of the server: an error, not a failure.
            TrialOutcome::Panicked => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                let message = trial.message.as_deref().unwrap_or("the trial panicked");
                let first = message.lines().next().unwrap_or(message);
                status.set_message(redact::text(first.trim()));
                status.set_type("harness-bug");
                status.set_description(redact::text(message));
                status
            }
            TrialOutcome::Ignored(reason) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(redact::text(reason));
                status
            }
            // A known failure (--baseline) is skipped with the baseline's reason; what it
            // failed with is kept as the description.
            TrialOutcome::Known(reason) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(redact::text(reason));
                status.set_type("known-failure");
                if let Some(message) = &trial.message {
                    status.set_description(redact::text(message));
                }
                status
            }
        };
        let (classname, _) = trial.name.rsplit_once("::").unwrap_or(("", &trial.name));
        let mut case = TestCase::new(trial.name.clone(), status);
        case.set_classname(classname.to_string());
        case.set_time(trial.duration);
        total += trial.duration;
        suite.add_test_case(case);
    }
    suite.set_time(total);
    if let Some(seed) = report.seed {
        // What replays the run's generated cases (`--seed`).
        suite.add_property(quick_junit::Property::new("seed", seed.to_string()));
    }
    let mut junit = Report::new("tfe-contract");
    junit.add_test_suite(suite);
    junit.to_string().map_err(|e| e.to_string())
}

pub fn write(path: &Path, report: &RunReport) -> Result<(), String> {
    let xml = render(report)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    fs::write(path, redact::text(&xml)).map_err(|e| e.to_string())
}

//! A run as the command line conducts it: the runner fills the run's records, then the reports
//! render them (JUnit, JSON, HTML, the text summary, GitHub annotations), while the secrets the
//! run met are still registered for redaction.

use crate::{
    config::{ConfigError, RunConfig},
    record::RunReport,
    report, runner,
};

/// Runs the suite as `config` says and writes the reports it asks for. `Err` means the harness
/// could not run, or a report could not be written (exit 2).
pub fn run(config: RunConfig) -> Result<RunReport, ConfigError> {
    let (junit, json, quiet) = (
        config.junit.clone(),
        config.report_json.clone(),
        config.quiet,
    );
    let html = config.report_html.clone();
    let report = runner::run(config)?;
    if report.listed_only {
        return Ok(report);
    }
    if let Some(path) = &junit {
        report::junit::write(path, &report).map_err(|e| {
            ConfigError::new(format!("cannot write JUnit report {}: {e}", path.display()))
        })?;
    }
    if let Some(path) = &json {
        let coverage = report::coverage::Coverage::of(&report);
        report::json::write(path, &report, &coverage).map_err(|e| {
            ConfigError::new(format!("cannot write JSON report {}: {e}", path.display()))
        })?;
    }
    if let Some(path) = &html {
        let coverage = report::coverage::Coverage::of(&report);
        // The grouped causes (issue 12) go here once the records have them.
        let causes: &[String] = &[];
        report::html::write(path, &report, &coverage, causes).map_err(|e| {
            ConfigError::new(format!("cannot write HTML report {}: {e}", path.display()))
        })?;
    }
    if !quiet {
        report::summary::print(&report);
        if report::annotations::enabled() {
            report::annotations::print(&report);
        }
    }
    Ok(report)
}

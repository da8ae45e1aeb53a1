//! A run as the command line conducts it: the runner fills the run's records, then the reports
//! render them (JUnit, JSON, HTML, HAR, the text summary, GitHub annotations), while the secrets the
//! run met are still registered for redaction.

use std::path::Path;

use crate::{
    baseline::Baseline,
    config::{ConfigError, RunConfig},
    record::RunReport,
    report, runner,
};

/// Runs the suite as `config` says and writes the reports it asks for. `Err` means the harness
/// could not run (an unreadable baseline among others), or a report could not be written
/// (exit 2).
pub fn run(config: RunConfig) -> Result<RunReport, ConfigError> {
    let baseline = match &config.baseline {
        Some(asked) => Some(Baseline::load(&asked.path).map_err(ConfigError::new)?),
        None => None,
    };
    let (junit, json, quiet) = (
        config.junit.clone(),
        config.report_json.clone(),
        config.quiet,
    );
    let write_baseline = config.write_baseline.clone();
    // Reasons people wrote carry over into a rewritten baseline: from --baseline, else from
    // the file about to be replaced.
    let previous = match (&baseline, &write_baseline) {
        (Some(b), _) => Some(b.clone()),
        (None, Some(path)) if path.exists() => Baseline::load(path).ok(),
        _ => None,
    };
    let html = config.report_html.clone();
    let har = config.report_har.clone();
    let logfile = config.libtest.logfile.clone().map(std::path::PathBuf::from);
    if let Some(path) = &logfile {
        crate::stdout::redact_on_exit(path);
    }
    let report = runner::run(config, baseline)?;
    // libtest wrote its log itself: it gets the last pass standard output gets, with the
    // secrets known now (the run's records keep the minted ones registered).
    if let Some(path) = &logfile
        && let Err(e) = crate::stdout::redact_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        return Err(ConfigError::new(format!(
            "cannot redact the log file {}: {e}",
            path.display()
        )));
    }
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
    if let Some(path) = &har {
        report::har::write(path, &report).map_err(|e| {
            ConfigError::new(format!("cannot write HAR report {}: {e}", path.display()))
        })?;
    }
    if let Some(path) = &write_baseline {
        let (baseline, left_out) = Baseline::of_run(&report, previous.as_ref());
        write_file(path, &baseline.render()).map_err(|e| {
            ConfigError::new(format!("cannot write the baseline {}: {e}", path.display()))
        })?;
        if !quiet {
            eprintln!(
                "tfe-contract: wrote {} known failure(s) to {}",
                baseline.known.len(),
                path.display()
            );
            for name in left_out {
                eprintln!(
                    "tfe-contract: not in the baseline: {name} (it panicked: a harness bug, not the server's)"
                );
            }
        }
    }
    if let Some(path) = &html {
        let coverage = report::coverage::Coverage::of(&report);
        let causes: Vec<String> = report::causes::Causes::of(&report)
            .render(usize::MAX)
            .lines()
            .map(String::from)
            .collect();
        report::html::write(path, &report, &coverage, &causes).map_err(|e| {
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

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

//! `tfe-contract replay REPORT TRIAL`: one trial of a recorded run, run again as that run ran
//! it: the report's profile, its exploration seed and budget, and for an exploring trial that
//! found something exactly the smallest case it found (`ReplayCase`), not a new search. A
//! whole-run check (`schema::`, `jsonapi::`) runs again with the trials whose exchanges its
//! findings named. What it reads is the JSON report's own fields (`profile`, `seed`,
//! `explore-budget`, each finding's `case` and `exchange-of`).

use std::path::Path;

use serde_json::Value;

use crate::{
    config::{ConfigError, Profile, ReplayCase, RunConfig, TargetSpec},
    record::{RunReport, TrialOutcome},
    suite,
};

/// The run config that replays `trial` of the run `report` records, against `target`.
pub fn config(report: &Path, trial: &str, target: TargetSpec) -> Result<RunConfig, ConfigError> {
    let text = std::fs::read_to_string(report).map_err(|e| {
        ConfigError::new(format!("cannot read the report {}: {e}", report.display()))
    })?;
    let recorded: Value = serde_json::from_str(&text).map_err(|e| {
        ConfigError::new(format!(
            "{} is not a JSON report of tfe-contract: {e}",
            report.display()
        ))
    })?;
    if recorded.get("tool").and_then(Value::as_str) != Some("tfe-contract") {
        return Err(ConfigError::new(format!(
            "{} is not a JSON report of tfe-contract (run --report-json FILE writes one)",
            report.display()
        )));
    }
    let trials = recorded
        .get("trials")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(entry) = trials
        .iter()
        .find(|t| t.get("name").and_then(Value::as_str) == Some(trial))
    else {
        return Err(ConfigError::new(format!(
            "the report {} has no trial {trial:?} (give a trial's full name, as the report lists it)",
            report.display()
        )));
    };
    let checks = suite::all();
    let Some(def) = checks.iter().find(|c| c.name == trial) else {
        return Err(ConfigError::new(format!(
            "this tfe-contract has no trial {trial:?} any more: replay with the version that wrote the report"
        )));
    };
    let mut config = RunConfig::new(target);
    if let Some(profile) = recorded.get("profile").and_then(Value::as_str) {
        config.profile = profile.parse::<Profile>()?;
    }
    config.seed = recorded.get("seed").and_then(Value::as_u64);
    if config.seed.is_none() {
        // The recorded run did not explore.
        config.explore_budget = 0;
    }
    if let Some(budget) = recorded
        .get("explore-budget")
        .and_then(Value::as_u64)
        .and_then(|b| u32::try_from(b).ok())
    {
        config.explore_budget = budget;
    }
    let findings = entry
        .get("findings")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    config.replay = findings
        .iter()
        .find_map(|f| f.get("case").filter(|c| c.is_object()))
        .map(|case| ReplayCase {
            trial: trial.to_string(),
            draw: case
                .get("draw")
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(1),
            moves: case
                .get("moves")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            ran: case.get("ran").and_then(Value::as_u64),
        });
    // Which trials run: this one, and for a whole-run check those whose exchanges it named.
    let mut wanted = vec![trial.to_string()];
    if def.whole_run {
        for f in findings {
            if let Some(of) = f.get("exchange-of").and_then(Value::as_str)
                && checks.iter().any(|c| c.name == of)
                && !wanted.iter().any(|w| w == of)
            {
                wanted.push(of.to_string());
            }
        }
    }
    config.libtest.exact = true;
    if wanted.len() == 1 {
        config.libtest.filter = Some(trial.to_string());
    } else {
        config.libtest.skip = checks
            .iter()
            .map(|c| c.name)
            .filter(|name| !wanted.iter().any(|w| w == name))
            .map(String::from)
            .collect();
    }
    Ok(config)
}

/// A replay that did not run its trial (another profile's, destructive on a real account,
/// exploration off) has no verdict: a usage error, saying why.
pub fn ran(report: &RunReport, trial: &str) -> Result<(), ConfigError> {
    match report.trial(trial).map(|t| &t.outcome) {
        Some(TrialOutcome::Ignored(reason)) => Err(ConfigError::new(format!(
            "{trial} was not run again: {reason}"
        ))),
        None => Err(ConfigError::new(format!("{trial} was not run again"))),
        Some(_) => Ok(()),
    }
}

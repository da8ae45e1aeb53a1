//! Known deviations: a baseline file lists the trials a server is known to fail, with the kinds
//! of finding each may fail with and why that is accepted for now. The runner consults it for
//! each verdict (a failure of listed kinds only is a known failure and does not fail the run);
//! `--write-baseline` renders one from a finished run's records.
//!
//! The file is TOML, one table per trial, sorted by name, so that a person can edit it and
//! review a change to it in a diff:
//!
//! ```toml
//! [known."authz::getTeamToken::outsider"]
//! kinds = ["existence-leak", "status"]
//! reason = "403 for forbidden; see our issue 12"
//! ```

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use serde::{Deserialize, Serialize};

use crate::{
    checks::Finding,
    record::{RunReport, TrialOutcome},
};

const HEADER: &str = "\
# Known failures of a server, for `tfe-contract run --baseline FILE` (written by
# `run --write-baseline FILE`). One table per trial the server is known to fail: the kinds of
# finding it may fail with, and why that is accepted for now (fill in `reason`).
# A trial that fails with a kind its entry does not list, or that has no entry, fails the run;
# an entry whose trial now passes is reported as fixed: remove it (--strict-baseline fails the
# run until you do).
";

/// One trial's entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The kinds of finding (`status`, `media-type`, ...) the trial may fail with.
    pub kinds: BTreeSet<String>,
    /// Why the failure is accepted; shown with it.
    #[serde(default)]
    pub reason: String,
}

/// A baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Trial name -> entry, in name order.
    #[serde(default)]
    pub known: BTreeMap<String, Entry>,
}

/// What the baseline makes of a failed trial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// No entry: the failure counts.
    NotListed,
    /// Every finding is of a kind its entry lists: a known failure, shown with this summary.
    Known(String),
    /// It failed with kinds its entry does not list (these): the failure counts.
    NewKinds(Vec<String>),
}

impl Baseline {
    /// Parses a baseline file's text; the error says where and what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("the baseline {} is not valid: {e}", path.display()))
    }

    /// The file's text: a header saying how to use it, then the entries in name order.
    pub fn render(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{HEADER}\n{body}")
    }

    /// The baseline of a finished run: one entry per trial that failed (known failures
    /// included) with the kinds it failed with. Reasons carry over from `previous` for trials
    /// still listed, and its entries for trials the run did not conduct are kept. Trials that
    /// panicked (a harness bug) or failed without findings are left out and returned by name.
    pub fn of_run(report: &RunReport, previous: Option<&Baseline>) -> (Self, Vec<String>) {
        let mut known = BTreeMap::new();
        let mut left_out = Vec::new();
        for trial in &report.trials {
            if !matches!(
                trial.outcome,
                TrialOutcome::Failed | TrialOutcome::Known(_) | TrialOutcome::Panicked
            ) {
                continue;
            }
            if trial.outcome == TrialOutcome::Panicked || trial.findings.is_empty() {
                left_out.push(trial.name.clone());
                continue;
            }
            let kinds = kinds(&trial.findings);
            let reason = previous
                .and_then(|b| b.known.get(&trial.name))
                .map(|e| e.reason.clone())
                .unwrap_or_default();
            known.insert(trial.name.clone(), Entry { kinds, reason });
        }
        // Entries of trials this run did not conduct (a filter, another profile, skipped as
        // destructive) stay as they were: nothing is lost by rewriting with a narrower run.
        if let Some(previous) = previous {
            for (name, entry) in &previous.known {
                let ran = report
                    .trial(name)
                    .is_some_and(|t| !matches!(t.outcome, TrialOutcome::Ignored(_)));
                if !ran {
                    known.entry(name.clone()).or_insert_with(|| entry.clone());
                }
            }
        }
        (Self { known }, left_out)
    }

    /// What a trial's failure comes to. A trial that panicked is never a known failure: that
    /// is the harness's bug, not the server's.
    pub fn judge(&self, trial: &str, findings: &[Finding], panicked: bool) -> Judgement {
        let Some(entry) = self.known.get(trial) else {
            return Judgement::NotListed;
        };
        let new: Vec<String> = kinds(findings)
            .into_iter()
            .filter(|k| !entry.kinds.contains(k))
            .collect();
        if panicked || findings.is_empty() {
            return Judgement::NewKinds(vec!["panic".to_string()]);
        }
        if !new.is_empty() {
            return Judgement::NewKinds(new);
        }
        let kinds: Vec<&str> = entry.kinds.iter().map(String::as_str).collect();
        let mut summary = format!("known failure (baseline: {})", kinds.join(", "));
        if !entry.reason.trim().is_empty() {
            summary.push_str(": ");
            summary.push_str(entry.reason.trim());
        }
        Judgement::Known(summary)
    }
}

/// The kinds of finding among `findings`, sorted and once each.
pub fn kinds(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.rule.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str) -> Finding {
        Finding::general(rule, "x", "y")
    }

    #[test]
    fn a_written_baseline_parses_back_and_reads_well() {
        let mut baseline = Baseline::default();
        baseline.known.insert(
            "authz::getTeamToken::outsider".into(),
            Entry {
                kinds: ["status".to_string(), "existence-leak".to_string()].into(),
                reason: "403 for forbidden".into(),
            },
        );
        baseline.known.insert(
            "auth::missing_token".into(),
            Entry {
                kinds: ["media-type".to_string()].into(),
                reason: String::new(),
            },
        );
        let text = baseline.render();
        assert!(text.starts_with("# Known failures"), "{text}");
        let first = text.find("auth::missing_token").expect("listed");
        let second = text.find("authz::getTeamToken::outsider").expect("listed");
        assert!(first < second, "entries in name order:\n{text}");
        assert!(
            text.contains("kinds = [\"existence-leak\", \"status\"]"),
            "{text}"
        );
        assert_eq!(Baseline::parse(&text).expect("parses"), baseline);
    }

    #[test]
    fn a_typo_in_the_file_is_an_error_naming_it() {
        let err = Baseline::parse("[known.\"a::b\"]\nkind = [\"status\"]\n").unwrap_err();
        assert!(err.contains("kind"), "{err}");
        let err = Baseline::parse("[known.\"a::b\"]\nkinds = \"status\"\n").unwrap_err();
        assert!(err.contains("kinds"), "{err}");
    }

    #[test]
    fn only_listed_kinds_make_a_known_failure() {
        let baseline = Baseline::parse(
            "[known.\"a::b\"]\nkinds = [\"status\", \"schema\"]\nreason = \"not yet\"\n",
        )
        .expect("parses");
        assert_eq!(
            baseline.judge("a::b", &[finding("status")], false),
            Judgement::Known("known failure (baseline: schema, status): not yet".into())
        );
        assert_eq!(
            baseline.judge("a::b", &[finding("status"), finding("media-type")], false),
            Judgement::NewKinds(vec!["media-type".into()])
        );
        assert_eq!(
            baseline.judge("a::c", &[finding("status")], false),
            Judgement::NotListed
        );
        assert!(matches!(
            baseline.judge("a::b", &[finding("status")], true),
            Judgement::NewKinds(_)
        ));
    }
}

//! What a whole run did, and the exit code it comes to.

use crate::{config::Profile, exchange::Exchange, redact};

use super::{
    entitlement::EntitlementNote,
    matrix::AuthzMatrix,
    trial::{TrialOutcome, TrialRecord},
};

/// Exit code when every trial passed (or was ignored).
pub const EXIT_PASSED: u8 = 0;
/// Exit code when a check failed: the server broke the contract.
pub const EXIT_FAILED: u8 = 101;
/// Exit code when the harness could not run: usage or configuration.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code when Ctrl-C stopped the run (after its cleanup), as for any interrupted program.
pub const EXIT_INTERRUPTED: u8 = 130;
/// Exit code when a trial panicked: a bug of the harness (sysexits' EX_SOFTWARE, "internal
/// software error"). It takes precedence over `EXIT_FAILED`: a run with a harness bug has no
/// verdict to trust.
pub const EXIT_HARNESS_BUG: u8 = 70;

/// What a run did.
#[derive(Debug, Default)]
pub struct RunReport {
    pub trials: Vec<TrialRecord>,
    /// Things the run created and could not delete.
    pub leftovers: Vec<String>,
    /// The final sweep could not list what the run may have made: the run fails, and says
    /// how to find what may be left.
    pub unlisted: Option<Unlisted>,
    /// `--list` only: nothing ran.
    pub listed_only: bool,
    /// libtest counted a failure (agrees with `trials` unless the harness itself broke).
    pub libtest_failed: bool,
    /// Ctrl-C stopped the run.
    pub interrupted: bool,
    /// The run's deadline passed: the requests still to come were not sent.
    pub deadline_passed: bool,
    /// What was checked (redacted when shown).
    pub target: String,
    pub profile: Option<Profile>,
    /// The exchanges of the tour the whole-run checks add (not part of any trial).
    pub tour: Vec<Exchange>,
    /// The exchanges of the probe before the trials and the cleanup after them.
    pub housekeeping: Vec<Exchange>,
    /// The destructive trials ran (loopback target, or --allow-destructive).
    pub destructive_allowed: bool,
    /// What the target's rate limit did to the run.
    pub rate: RateSummary,
    /// What the baseline (`--baseline`) came to, when the run had one.
    pub baseline: Option<BaselineReview>,
    /// The secrets the target minted stay redacted while the report lives: every report is
    /// rendered from it first.
    pub minted: Minted,
    /// The seed the exploration drew its cases from, when the run explored.
    pub seed: Option<u64>,
    /// How many cases each exploring trial drew (`--explore-budget`), when the run explored.
    pub explore_budget: Option<u32>,
    /// The suite's authorization matrix, for the HTML report's grid (empty for `--list`).
    pub matrix: AuthzMatrix,
    /// The entitlements a trial may fail for want of, for the summary.
    pub entitlements: Vec<EntitlementNote>,
}

/// What the final sweep could not list (no answer, a garbled one, a refusal): the kinds of
/// object the run may have left there, unnamed, and the run's tag, which their names or
/// descriptions carry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unlisted {
    pub tag: String,
    /// In words (`team`, `user token`).
    pub kinds: Vec<String>,
}

impl Unlisted {
    /// The one line that says so.
    pub fn line(&self) -> String {
        format!(
            "the final sweep could not list what the run may have made ({}): look for names and descriptions holding \"-{}-\" (the run's tag) and delete them by hand",
            self.kinds.join(", "),
            self.tag
        )
    }
}

/// How a run compared with its baseline, beyond each trial's verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaselineReview {
    /// The baseline file, as given.
    pub path: String,
    /// How many entries it has.
    pub entries: usize,
    /// Entries whose trial passed this time: to be removed from the file.
    pub fixed: Vec<String>,
    /// Entries that name no trial of this harness (renamed, removed, or a typo).
    pub unknown: Vec<String>,
    /// `--strict-baseline`: fixed and unknown entries fail the run.
    pub strict: bool,
}

impl BaselineReview {
    /// Under `--strict-baseline`, a baseline that says more than the server does fails the run.
    pub fn fails(&self) -> bool {
        self.strict && (!self.fixed.is_empty() || !self.unknown.is_empty())
    }
}

/// Secrets a run's target minted: registered for redaction while the run's records live, and
/// retired from it when they are dropped (a later run in the same process need not scan for
/// them).
#[derive(Debug, Default)]
pub struct Minted(pub Vec<String>);

impl Drop for Minted {
    fn drop(&mut self) {
        redact::forget(&self.0);
    }
}

/// How the run kept to the target's rate limit, and what it cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateSummary {
    /// Requests per second per credential the run kept to (none: not paced).
    pub paced_at: Option<f64>,
    /// The target's `X-RateLimit-Limit`, when it announced one and `--max-rate` did not
    /// override it.
    pub announced: Option<f64>,
    /// Time requests waited for their credential's budget.
    pub paced_wait: std::time::Duration,
    /// Answers that were 429, and the time spent waiting them out.
    pub too_many_requests: u64,
    pub waited_out: std::time::Duration,
    /// Requests each credential sent (retries included), busiest first, and how many of
    /// them the caller's token sent: a server that limits each token is as slow for the run
    /// as the busiest one.
    pub per_credential: Vec<u64>,
    pub yours: u64,
}

impl RateSummary {
    /// The least time a server limiting each credential to the announced rate (or the one
    /// given) lets the run take: the busiest credential's requests over the rate.
    pub fn floor(&self) -> Option<std::time::Duration> {
        let rate = self.announced.or(self.paced_at)?;
        let busiest = self.per_credential.first().copied().unwrap_or(0);
        Some(std::time::Duration::from_secs_f64(busiest as f64 / rate))
    }
}

impl RunReport {
    pub fn failed(&self) -> impl Iterator<Item = &TrialRecord> {
        self.trials
            .iter()
            .filter(|t| t.outcome == TrialOutcome::Failed)
    }

    /// The trials that panicked: bugs of the harness.
    pub fn panicked(&self) -> impl Iterator<Item = &TrialRecord> {
        self.trials
            .iter()
            .filter(|t| t.outcome == TrialOutcome::Panicked)
    }

    /// libtest counted a failure that no record explains: the harness lost a trial's verdict
    /// (it was not scheduled, or ended without one), a bug of its own.
    pub fn unexplained_failure(&self) -> bool {
        self.libtest_failed && self.failed().next().is_none() && self.panicked().next().is_none()
    }

    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            EXIT_INTERRUPTED
        } else if self.panicked().next().is_some() || self.unexplained_failure() {
            EXIT_HARNESS_BUG
        } else if self.libtest_failed
            || self.failed().next().is_some()
            || self.unlisted.is_some()
            || self.baseline.as_ref().is_some_and(BaselineReview::fails)
        {
            EXIT_FAILED
        } else {
            EXIT_PASSED
        }
    }

    /// The trials that failed only as the baseline expects.
    pub fn known(&self) -> impl Iterator<Item = &TrialRecord> {
        self.trials
            .iter()
            .filter(|t| matches!(t.outcome, TrialOutcome::Known(_)))
    }

    pub fn trial(&self, name: &str) -> Option<&TrialRecord> {
        self.trials.iter().find(|t| t.name == name)
    }

    /// Every exchange of the run: the trials', their cleanups', the tour's and the
    /// housekeeping's.
    pub fn exchanges(&self) -> impl Iterator<Item = &Exchange> {
        self.trials
            .iter()
            .flat_map(|t| t.exchanges.iter().chain(&t.released))
            .chain(&self.tour)
            .chain(&self.housekeeping)
    }

    /// How often requests were retried after a 429, over the whole run.
    pub fn retries(&self) -> u64 {
        self.exchanges().map(|e| u64::from(e.retries)).sum()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn trial(outcome: TrialOutcome) -> TrialRecord {
        TrialRecord {
            name: "a::b".into(),
            outcome,
            duration: Duration::ZERO,
            message: None,
            findings: Vec::new(),
            exchanges: Default::default(),
            exclusive: false,
            released: Vec::new(),
        }
    }

    #[test]
    fn a_panic_outranks_a_failure_and_an_interruption_outranks_both() {
        let mut report = RunReport {
            trials: vec![trial(TrialOutcome::Failed), trial(TrialOutcome::Passed)],
            libtest_failed: true,
            ..RunReport::default()
        };
        assert_eq!(report.exit_code(), EXIT_FAILED);
        report.trials.push(trial(TrialOutcome::Panicked));
        assert_eq!(report.exit_code(), EXIT_HARNESS_BUG);
        assert_eq!(report.failed().count(), 1, "a panic is not a failure");
        report.interrupted = true;
        assert_eq!(report.exit_code(), EXIT_INTERRUPTED);
    }

    #[test]
    fn a_failure_no_record_explains_is_the_harness_losing_a_verdict() {
        let lost = RunReport {
            trials: vec![trial(TrialOutcome::Passed)],
            libtest_failed: true,
            ..RunReport::default()
        };
        assert!(lost.unexplained_failure());
        assert_eq!(lost.exit_code(), EXIT_HARNESS_BUG);
        let explained = RunReport {
            trials: vec![trial(TrialOutcome::Failed)],
            libtest_failed: true,
            ..RunReport::default()
        };
        assert!(!explained.unexplained_failure());
    }
}

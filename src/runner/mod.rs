//! The runner: resolves the target (starting the embedded reference server when there is no
//! address), turns every `CheckDef` into a libtest-mimic trial, runs them, cleans up what the
//! run created, and writes the reports. It records per-trial results itself, because libtest's
//! conclusion only counts.

mod report;
mod run;
mod schedule;
mod summary;
mod target;

pub use report::{
    EXIT_CONFIG, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PASSED, RateSummary, RunReport, TrialOutcome,
    TrialRecord,
};
pub use run::{DEFAULT_TRIAL_THREADS, run};
pub use summary::install_redacting_panic_hook;
pub use target::{DEFAULT_ORGANIZATION, random_token};

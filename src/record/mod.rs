//! The run's records: what each trial did (outcome, findings, exchanges) and what the whole run
//! did, with what the reports need to know of the suite (the authorization matrix, the
//! entitlements a trial may fail for want of). The runner fills them; the reports (text
//! summary, JUnit, JSON, HTML, baseline) render them after the run. Nothing here runs a trial
//! or writes a file.

mod entitlement;
mod matrix;
mod run;
mod trial;

pub use entitlement::EntitlementNote;
pub use matrix::{AuthzMatrix, MatrixCell, MatrixRow};

pub use run::{
    BaselineReview, EXIT_CONFIG, EXIT_FAILED, EXIT_HARNESS_BUG, EXIT_INTERRUPTED, EXIT_PASSED,
    Minted, RateSummary, RunReport, Unlisted,
};
pub use trial::{TrialOutcome, TrialRecord};

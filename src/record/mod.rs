//! The run's records: what each trial did (outcome, findings, exchanges) and what the whole run
//! did. The runner fills them; the reports (text summary, JUnit, JSON, baseline) render them
//! after the run. Nothing here runs a trial or writes a file.

mod run;
mod trial;

pub use run::{
    BaselineReview, EXIT_CONFIG, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PASSED, Minted, RateSummary,
    RunReport,
};
pub use trial::{TrialOutcome, TrialRecord};

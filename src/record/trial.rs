//! What one trial did.

use std::{sync::Arc, time::Duration};

use crate::{checks::Finding, exchange::Exchange};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrialOutcome {
    Passed,
    Failed,
    Ignored(String),
    /// It failed, but only with kinds of finding the baseline accepts for it (`--baseline`):
    /// does not fail the run. The text says so, with the entry's reason.
    Known(String),
    /// It panicked: a bug of the harness, which says nothing of the server (the message says
    /// where; findings made before the panic are kept). The run exits `EXIT_HARNESS_BUG`.
    Panicked,
}

/// What one trial did.
#[derive(Clone, Debug)]
pub struct TrialRecord {
    pub name: String,
    pub outcome: TrialOutcome,
    pub duration: Duration,
    /// The failure message, redacted.
    pub message: Option<String>,
    pub findings: Vec<Finding>,
    /// Shared with the run's log the whole-run checks read.
    pub exchanges: Arc<Vec<Exchange>>,
    /// It had the organization token to itself.
    pub exclusive: bool,
    /// The deletions, right after it, of what it created (not part of its verdict).
    pub released: Vec<Exchange>,
}

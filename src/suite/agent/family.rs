//! Agent tokens as the suite knows them: the current APIs have them, not the seeds'
//! (`legacy`); they need the organization's agents entitlement.

use super::{authz, cleanup, inputs, pool::NO_AGENT_POOL, sequences, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "agent token",
    profiles: CURRENT,
    trials: every_trial,
    rows: authz::ROWS,
    tour: Some(tour::tour),
    sweep: Some(cleanup::sweep),
    entitlement: Some(&NO_AGENT_POOL),
    ..Family::NOTHING
};

/// The tokens' own trials, then their exploration's.
fn every_trial() -> Vec<CheckDef> {
    let mut checks = trials::checks();
    checks.extend(inputs::checks());
    checks.extend(sequences::checks());
    checks
}

//! The legacy team token as the suite knows it: every profile has it. Its tokens go with the
//! teams the trials make, so it has nothing of its own to clean up.

use super::{authz, credential, sequences, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "legacy team token",
    trials: every_trial,
    rows: authz::ROWS,
    personas: authz::PERSONAS,
    tour: Some(tour::tour),
    ..Family::NOTHING
};

/// The token's own trials, then its exploration's.
fn every_trial() -> Vec<CheckDef> {
    let mut checks = trials::checks();
    checks.extend(sequences::checks());
    checks.extend(credential::checks());
    checks
}

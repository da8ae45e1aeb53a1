//! The organization token as the suite knows it: every profile has it.

use super::{authz, credential, sequences, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "organization token",
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

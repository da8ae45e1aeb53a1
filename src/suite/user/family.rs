//! User tokens as the suite knows them: the current APIs have them, not the seeds'
//! (`legacy`).

use super::{authz, cleanup, credential, inputs, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "user token",
    profiles: CURRENT,
    trials: every_trial,
    rows: authz::ROWS,
    personas: authz::PERSONAS,
    tour: Some(tour::tour),
    sweep: Some(cleanup::sweep),
    ..Family::NOTHING
};

/// The tokens' own trials, then their exploration's.
fn every_trial() -> Vec<CheckDef> {
    let mut checks = trials::checks();
    checks.extend(inputs::checks());
    checks.extend(credential::checks());
    checks
}

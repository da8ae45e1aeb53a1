//! A team's several tokens as the suite knows them: the current APIs have them, not the
//! seeds' (`legacy`).

use super::{authz, cleanup, credential, inputs, list, sequences, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "team token",
    profiles: CURRENT,
    trials: every_trial,
    rows: authz::ROWS,
    personas: authz::PERSONAS,
    tour: Some(tour::tour),
    sweep: Some(cleanup::sweep),
    setup_token: Some(authz::setup_token),
    ..Family::NOTHING
};

/// The tokens' own trials, then the list's.
fn every_trial() -> Vec<CheckDef> {
    let mut checks = trials::checks();
    checks.extend(list::checks());
    checks.extend(inputs::checks());
    checks.extend(sequences::checks());
    checks.extend(credential::checks());
    checks
}

//! User tokens as the suite knows them: the current APIs have them, not the seeds'
//! (`legacy`).

use super::{authz, cleanup, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "user token",
    profiles: CURRENT,
    trials: trials::checks,
    rows: authz::ROWS,
    personas: authz::PERSONAS,
    tour: Some(tour::tour),
    sweep: Some(cleanup::sweep),
    ..Family::NOTHING
};

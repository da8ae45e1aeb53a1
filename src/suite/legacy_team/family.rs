//! The legacy team token as the suite knows it: every profile has it. Its tokens go with the
//! teams the trials make, so it has nothing of its own to clean up.

use super::{authz, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "legacy team token",
    trials: trials::checks,
    rows: authz::ROWS,
    personas: authz::PERSONAS,
    tour: Some(tour::tour),
    ..Family::NOTHING
};

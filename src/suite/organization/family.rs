//! The organization token as the suite knows it: every profile has it.

use super::{authz, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "organization token",
    trials: trials::checks,
    rows: authz::ROWS,
    personas: authz::PERSONAS,
    tour: Some(tour::tour),
    ..Family::NOTHING
};

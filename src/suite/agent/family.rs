//! Agent tokens as the suite knows them: the current APIs have them, not the seeds'
//! (`legacy`); they need the organization's agents entitlement.

use super::{authz, cleanup, pool::NO_AGENT_POOL, tour, trials};
use crate::suite::prelude::*;

pub const FAMILY: Family = Family {
    name: "agent token",
    profiles: CURRENT,
    trials: trials::checks,
    rows: authz::ROWS,
    tour: Some(tour::tour),
    sweep: Some(cleanup::sweep),
    entitlement: Some(&NO_AGENT_POOL),
    ..Family::NOTHING
};

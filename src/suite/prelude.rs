//! What a family's files work with, in one import (`use crate::suite::prelude::*;`): the
//! suite's generic machinery, the pure checks, and the client's types. A family's own items
//! (its kinds, its steps) come from its own modules by name.

pub(crate) use crate::{
    checks::{
        Finding,
        clients::{self, Break},
        http, list, schema,
        token::{self, DefaultExpiry, TokenView},
    },
    client::{Auth, types},
    config::Profile,
    exchange::Exchange,
    redact::Secret,
    suite::{
        Boxed, CURRENT, CheckDef, EVERY_PROFILE, Entitlement, Family, HCP, Kind, Removal, Session,
        Stage, Stop,
        authz::{
            BAD, DELETE_BY_ID, Expect, Persona, Provider, READ_BY_ID, Row, Target, act,
            owners_only, prepare, status, user_only,
        },
        cleanup::{SWEEP, sweep_listed},
        conformance::{TRUNCATED, refused_creates, send_body, without_content_type},
        fixtures::{self, Team},
        ids::missing_like,
        steps::{
            self, AUTHENTICATED, Minted, all_not_found, by_setup, deleted_secret_refused,
            described_body, docs_body, future_instant, page_params, past_instant, remember_created,
            succeeded, succeeded_id, three_on_pages_of_two, try_secret,
        },
    },
};

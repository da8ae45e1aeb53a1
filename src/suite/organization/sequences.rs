//! Sequences of the organization token's operations, drawn from the one-slot model
//! (`explore::slot`: seed 002's create that replaces, read, delete) and run against the
//! target: after each step the answer must be the model's, and only the secret of the token in
//! the slot may authenticate, however many rotations came before.

use super::cleanup::TOKEN;
use crate::suite::{
    explore::{Slot, slot_sequences},
    prelude::*,
};

const TRIAL: &str = "sequences::org_token";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            TRIAL,
            "drawn sequences of creates (each replacing the token before), reads, deletes and uses of every secret minted answer as seed 002 says: only the token in the slot authenticates",
            sequences,
        )
        .destructive()
        .explores(),
    ]
}

/// The organization's one token.
pub struct OrganizationSlot;

/// Sends one typed call of a sequence with a set-up token, a token of the owners team, where
/// the run has one (seed 002: the organization token's endpoints are for "members of the
/// owners team, the owners team API token, and the organization API token"), sparing the
/// user's limit (ref §6); the user's token asks again where that credential was refused
/// outright (401 or 403: a set-up token some other request revoked). A 404 is an answer the
/// model judges, not a refusal.
macro_rules! explored {
    ($s:expr, $step:expr, |$c:ident| $call:expr) => {
        by_setup!(
            $s,
            $step,
            first: $s.setup(),
            again_if: |ex: &Exchange| {
                matches!(ex.status(), Some(401 | 403)) && $s.ctx().setup_token().is_some()
            },
            |$c| $call
        )
    };
}

impl Slot for OrganizationSlot {
    /// The model starts from an empty slot: the organization's token, deleted.
    async fn prepare(s: &Session) -> Result<Self, Stop> {
        let ex = OrganizationSlot.delete(s).await;
        s.gate(http::status(&ex, &[204, 404], "ref §1 #3, §4"))?;
        Ok(OrganizationSlot)
    }

    async fn create(&self, s: &Session) -> Exchange {
        let body = docs_body(None);
        explored!(s, "create (replacing the token)", |c| c
            .create_organization_token(s.org(), None, &body))
    }

    async fn read(&self, s: &Session) -> Exchange {
        explored!(s, "read", |c| c.get_organization_token(s.org(), None))
    }

    async fn delete(&self, s: &Session) -> Exchange {
        explored!(s, "delete", |c| c.delete_organization_token(s.org(), None))
    }

    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        steps::minted(s, ex, Some(&TOKEN))
    }
}

async fn sequences(s: Session) -> Result<(), Stop> {
    slot_sequences::<OrganizationSlot>(&s, TRIAL).await
}

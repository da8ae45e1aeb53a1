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

impl Slot for OrganizationSlot {
    /// The model starts from an empty slot: the organization's token, deleted.
    async fn prepare(s: &Session) -> Result<Self, Stop> {
        let ex = OrganizationSlot.delete(s).await;
        s.gate(http::status(&ex, &[204, 404], "ref §1 #3, §4"))?;
        Ok(OrganizationSlot)
    }

    async fn create(&self, s: &Session) -> Exchange {
        let body = docs_body(None);
        s.call(
            "create (replacing the token)",
            s.owner().create_organization_token(s.org(), None, &body),
        )
        .await
    }

    async fn read(&self, s: &Session) -> Exchange {
        s.call("read", s.owner().get_organization_token(s.org(), None))
            .await
    }

    async fn delete(&self, s: &Session) -> Exchange {
        s.call("delete", s.owner().delete_organization_token(s.org(), None))
            .await
    }

    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        steps::minted(s, ex, Some(&TOKEN))
    }
}

async fn sequences(s: Session) -> Result<(), Stop> {
    slot_sequences::<OrganizationSlot>(&s, TRIAL).await
}

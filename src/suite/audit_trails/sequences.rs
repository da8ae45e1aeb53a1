//! Sequences of the audit-trails token's operations, drawn from the one-slot model
//! (`explore::slot`: a create replaces the token before it, ref §4; read and delete as the
//! organization token's, ref §1 #1-#3) and run against the target. Its secret serves the audit
//! trail alone, and no document says what the token endpoints make of it, so the sequences
//! never try one: what they hold is what a read and a delete answer after each step.

use super::trials::{create_audit, minted_audit};
use crate::suite::{
    explore::{Slot, slot_sequences},
    prelude::*,
};

const TRIAL: &str = "sequences::audit_token";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            TRIAL,
            "drawn sequences of creates (each replacing the audit-trails token before), reads and deletes answer as the docs say: a read shows the newest token, or 404 once it is deleted",
            sequences,
        )
        .only(HCP)
        .destructive()
        .explores(),
    ]
}

/// The organization's audit-trails token.
pub struct AuditSlot;

impl Slot for AuditSlot {
    const API_CREDENTIAL: bool = false;

    /// The model starts from an empty slot: a token made (where a 404 says the entitlement
    /// is missing, as every audit-trails trial does) and deleted.
    async fn prepare(s: &Session) -> Result<Self, Stop> {
        let ex = create_audit(s, "make sure there is an audit-trails token").await?;
        s.gate(http::status(&ex, &[201], "ref §1 #1"))?;
        minted_audit(s, ex)?;
        let ex = AuditSlot.delete(s).await;
        s.gate(http::status(&ex, &[204], "ref §1 #3"))?;
        Ok(AuditSlot)
    }

    async fn create(&self, s: &Session) -> Exchange {
        s.call(
            "create (replacing the audit-trails token)",
            s.owner().create_organization_token(
                s.org(),
                Some(types::CreateOrganizationTokenToken::AuditTrails),
                &docs_body(None),
            ),
        )
        .await
    }

    async fn read(&self, s: &Session) -> Exchange {
        s.call(
            "read",
            s.owner().get_organization_token(
                s.org(),
                Some(types::GetOrganizationTokenToken::AuditTrails),
            ),
        )
        .await
    }

    async fn delete(&self, s: &Session) -> Exchange {
        s.call(
            "delete",
            s.owner().delete_organization_token(
                s.org(),
                Some(types::DeleteOrganizationTokenToken::AuditTrails),
            ),
        )
        .await
    }

    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        minted_audit(s, ex)
    }
}

async fn sequences(s: Session) -> Result<(), Stop> {
    slot_sequences::<AuditSlot>(&s, TRIAL).await
}

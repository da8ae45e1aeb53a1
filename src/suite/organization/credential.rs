//! The organization token's secret as a credential (`explore::slot_credential`): exactly
//! itself; rotations sent at once leave one secret working; rotated away or deleted, refused on
//! every endpoint.

use super::sequences::OrganizationSlot;
use crate::suite::{explore::slot_credential, prelude::*};

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "credential::org_token",
            "the organization token's secret authenticates and nothing near it does; of three rotations sent at once exactly one secret works; the replaced and the deleted token get 401 on every endpoint",
            credential,
        )
        .destructive()
        .explores(),
    ]
}

async fn credential(s: Session) -> Result<(), Stop> {
    slot_credential::<OrganizationSlot>(&s).await
}

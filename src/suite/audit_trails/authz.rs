//! The audit-trails token in the authorization matrix: as the organization token (ref §1 #1,
//! §5), on HCP Terraform only.

use super::{
    family::{NO_AUDIT_TRAILS, TOKEN},
    trials::{create_audit, minted_audit},
};
use crate::{
    client::types::{
        CreateOrganizationTokenToken, DeleteOrganizationTokenToken, GetOrganizationTokenToken,
    },
    suite::prelude::*,
};

pub const ROWS: &[Row] = &[
    Row {
        name: "create_audit_trails_token",
        operation: "createOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[201]),
        source: "ref §1 #1, §5: as the organization token",
        prepare: prepare!(|s| Target::organization(&s)),
        act: act!(
            |s, c, t| c.create_organization_token(
                &t.key,
                Some(CreateOrganizationTokenToken::AuditTrails),
                &docs_body(None)
            ),
            remembering & TOKEN
        ),
        entitlement: Some(&NO_AUDIT_TRAILS),
    },
    Row {
        name: "show_audit_trails_token",
        operation: "getOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[200]),
        source: "ref §1 #2, §5: as the organization token",
        prepare: existing,
        act: act!(|s, c, t| c
            .get_organization_token(&t.key, Some(GetOrganizationTokenToken::AuditTrails))),
        entitlement: None,
    },
    Row {
        name: "delete_audit_trails_token",
        operation: "deleteOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[204]),
        source: "ref §1 #3, §5: as the organization token",
        prepare: existing,
        act: act!(|s, c, t| c
            .delete_organization_token(&t.key, Some(DeleteOrganizationTokenToken::AuditTrails))),
        entitlement: None,
    },
];

/// The organization, with its audit-trails token made first when an allowed persona is to
/// find it.
fn existing(s: Session, full: bool) -> Boxed<Result<Target, Stop>> {
    Box::pin(async move {
        if full {
            let ex = create_audit(&s, "target: create the audit-trails token").await?;
            minted_audit(&s, ex)?;
        }
        Ok(Target::organization(&s))
    })
}

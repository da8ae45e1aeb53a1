//! The audit-trails token in the authorization matrix: as the organization token (ref §1 #1,
//! §5), on HCP Terraform only.

use super::{
    family::{NO_AUDIT_TRAILS, TOKEN},
    trials::{create_audit, minted_audit},
};
use crate::{
    client::types,
    suite::{
        Boxed, HCP, Session, Stop,
        authz::{Row, Target, owners_only},
        steps::{docs_body, remember_created},
    },
};

pub const ROWS: &[Row] = &[
    Row {
        name: "create_audit_trails_token",
        operation: "createOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[201]),
        source: "ref §1 #1, §5: as the organization token",
        prepare: |s, _| Box::pin(async move { Ok(Target::organization(&s)) }),
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                let audit = Some(types::CreateOrganizationTokenToken::AuditTrails);
                let ex = s
                    .call(
                        &step,
                        c.create_organization_token(&t.key, audit, &docs_body(None)),
                    )
                    .await;
                remember_created(&s, &ex, &TOKEN);
                ex
            })
        },
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
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                let audit = Some(types::GetOrganizationTokenToken::AuditTrails);
                s.call(&step, c.get_organization_token(&t.key, audit)).await
            })
        },
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
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                let audit = Some(types::DeleteOrganizationTokenToken::AuditTrails);
                s.call(&step, c.delete_organization_token(&t.key, audit))
                    .await
            })
        },
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

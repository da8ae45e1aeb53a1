//! The organization token in the authorization matrix: its rows (seed 002: owners, the owners
//! team's token and the organization token may; ref §5), and the organization token as a
//! persona.

use super::{cleanup::TOKEN, trials::mint_by_setup};
use crate::suite::prelude::*;

pub const ROWS: &[Row] = &[
    Row {
        name: "create_organization_token",
        operation: "createOrganizationToken",
        profiles: EVERY_PROFILE,
        destructive: true,
        expect: owners_only(&[201]),
        source: "seed 002: owners, the owners team token, the organization token; ref §5",
        prepare: prepare!(|s| Target::organization(&s)),
        act: act!(
            |s, c, t| c.create_organization_token(&t.key, None, &docs_body(None)),
            remembering & TOKEN
        ),
        entitlement: None,
    },
    Row {
        name: "show_organization_token",
        operation: "getOrganizationToken",
        profiles: EVERY_PROFILE,
        destructive: true,
        expect: owners_only(&[200]),
        source: "seed 002; ref §1 #2, §5",
        prepare: existing,
        act: act!(|s, c, t| c.get_organization_token(&t.key, None)),
        entitlement: None,
    },
    Row {
        name: "delete_organization_token",
        operation: "deleteOrganizationToken",
        profiles: EVERY_PROFILE,
        destructive: true,
        expect: owners_only(&[204]),
        source: "seed 002; ref §5",
        prepare: existing,
        act: act!(|s, c, t| c.delete_organization_token(&t.key, None)),
        entitlement: None,
    },
];

/// The organization, with its token made first when an allowed persona is to find it.
fn existing(s: Session, full: bool) -> Boxed<Result<Target, Stop>> {
    Box::pin(async move {
        if full {
            mint_by_setup(&s, "target: create the organization token").await?;
        }
        Ok(Target::organization(&s))
    })
}

pub const PERSONAS: &[Provider] = &[Provider {
    persona: Persona::OrganizationToken,
    profiles: EVERY_PROFILE,
    // There is one organization token: making one replaces the user's.
    destructive: true,
    shared: false,
    provision: |s| {
        Box::pin(async move {
            let token = mint_by_setup(&s, "persona: create the organization token").await?;
            Ok(Auth::Bearer(token.secret(&s)?))
        })
    },
}];

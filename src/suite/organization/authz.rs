//! The organization token in the authorization matrix: its rows (seed 002: owners, the owners
//! team's token and the organization token may; ref §5), and the organization token as a
//! persona.

use super::{cleanup::TOKEN, trials::minted};
use crate::{
    client::Auth,
    suite::{
        Boxed, EVERY_PROFILE, Session, Stop,
        authz::{Persona, Provider, Row, Target, owners_only},
        steps::{docs_body, remember_created},
    },
};

pub const ROWS: &[Row] = &[
    Row {
        name: "create_organization_token",
        operation: "createOrganizationToken",
        profiles: EVERY_PROFILE,
        destructive: true,
        expect: owners_only(&[201]),
        source: "seed 002: owners, the owners team token, the organization token; ref §5",
        prepare: |s, _| Box::pin(async move { Ok(Target::organization(&s)) }),
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                let ex = s
                    .call(
                        &step,
                        c.create_organization_token(&t.key, None, &docs_body(None)),
                    )
                    .await;
                remember_created(&s, &ex, &TOKEN);
                ex
            })
        },
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
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                s.call(&step, c.get_organization_token(&t.key, None)).await
            })
        },
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
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                s.call(&step, c.delete_organization_token(&t.key, None))
                    .await
            })
        },
        entitlement: None,
    },
];

/// The organization, with its token made first when an allowed persona is to find it.
fn existing(s: Session, full: bool) -> Boxed<Result<Target, Stop>> {
    Box::pin(async move {
        if full {
            let ex = s
                .call(
                    "target: create the organization token",
                    s.owner()
                        .create_organization_token(s.org(), None, &docs_body(None)),
                )
                .await;
            minted(&s, ex)?;
        }
        Ok(Target::organization(&s))
    })
}

pub const PERSONAS: &[Provider] = &[Provider {
    persona: Persona::OrganizationToken,
    profiles: EVERY_PROFILE,
    // There is one organization token: making one replaces the user's.
    destructive: true,
    provision: |s| {
        Box::pin(async move {
            let ex = s
                .call(
                    "persona: create the organization token",
                    s.owner()
                        .create_organization_token(s.org(), None, &docs_body(None)),
                )
                .await;
            Ok(Auth::Bearer(minted(&s, ex)?.secret(&s)?))
        })
    },
}];

//! The trials the matrix generates: one per operation and persona, and one leak trial per
//! operation whose outsider answer is 404.

use super::{
    Expect, MATRIX, Op, Persona, Row,
    personas::{outsider, provision},
    targets::{act, prepare},
};
use crate::{
    checks::{authz, http, list},
    client::Auth,
    config::Profile,
    suite::{CheckDef, Destructive, Session, Stop},
};

pub fn checks() -> Vec<CheckDef> {
    let mut checks = Vec::new();
    for row in MATRIX {
        for persona in Persona::ALL {
            let profiles = intersect(row.profiles, persona.profiles());
            if profiles.is_empty() {
                continue;
            }
            let name = leak_name(format!("authz::{}::{}", row.name, persona.name()));
            let summary = leak_name(format!(
                "{} as {} answers {}",
                row.operation,
                persona.name(),
                row.expect(persona).describe()
            ));
            let destructive = if row.destructive {
                Destructive::Always
            } else {
                persona.destructive()
            };
            let mut check = CheckDef::new(name, summary, move |s| matrix_trial(s, row, persona))
                .only(profiles)
                .destructive_when(destructive);
            // A bad token cannot change anything on a correct server, and none of the faults
            // lets it, so it needs no lock; every other persona might rotate the token.
            let harmless = matches!(
                persona,
                Persona::Anonymous | Persona::Malformed | Persona::Revoked
            );
            if row.touches_org_token() && !harmless {
                check = check.exclusive();
            }
            if persona == Persona::OwnersTeam {
                check = check.owners_team();
            }
            checks.push(check);
        }
    }
    for row in MATRIX {
        if !matches!(
            row.expect(Persona::Outsider),
            Expect::Status(&[404]) | Expect::Hidden
        ) {
            continue;
        }
        let name = leak_name(format!("leak::{}", row.name));
        let summary = leak_name(format!(
            "{} as an outsider answers an existing target exactly as a missing one",
            row.operation
        ));
        let mut check =
            CheckDef::new(name, summary, move |s| leak_trial(s, row)).only(row.profiles);
        if row.destructive {
            check = check.destructive();
        }
        checks.push(check);
    }
    checks
}

/// Generated names live as long as the process (the suite is built once).
fn leak_name(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

fn intersect(a: &'static [Profile], b: &'static [Profile]) -> &'static [Profile] {
    if a.len() <= b.len() && a.iter().all(|p| b.contains(p)) {
        a
    } else if b.iter().all(|p| a.contains(p)) {
        b
    } else {
        Box::leak(
            a.iter()
                .copied()
                .filter(|p| b.contains(p))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    }
}

async fn matrix_trial(s: Session, row: &'static Row, persona: Persona) -> Result<(), Stop> {
    let expect = row.expect(persona);
    let target = prepare(&s, row.op, expect.succeeds()).await?;
    let auth = provision(&s, persona).await?;
    let ex = act(&s, row.op, &target, &auth, &row.acting_step(persona)).await;
    if row.op == Op::CreateAuditTrailsToken && expect.succeeds() && ex.status() == Some(404) {
        return Err(crate::suite::common::no_audit_trails(&s, &ex));
    }
    let source = row.source;
    match expect {
        Expect::Status(codes) => s.check(http::status(&ex, codes, source)),
        Expect::Listed => {
            s.gate(http::status(&ex, &[200], source))?;
            s.check(list::contains(&ex, &[&target.listed], source));
        }
        Expect::Hidden => s.check(authz::hidden(&ex, &[&target.listed], source)),
    }
    Ok(())
}

async fn leak_trial(s: Session, row: &'static Row) -> Result<(), Stop> {
    let target = prepare(&s, row.op, false).await?;
    let missing = target.missing(row.op, &s);
    let (_, secret) = outsider(&s).await?;
    let auth = Auth::Bearer(secret);
    let exists = act(
        &s,
        row.op,
        &target,
        &auth,
        &format!("{} on an existing target", row.operation),
    )
    .await;
    let absent = act(
        &s,
        row.op,
        &missing,
        &auth,
        &format!("{} on a missing target", row.operation),
    )
    .await;
    if row.op == Op::ListUserTokens {
        s.check(authz::user_list_documented(
            &exists,
            &absent,
            target.key(row.op),
            missing.key(row.op),
            &[&target.listed],
        ));
    } else {
        s.check(authz::indistinguishable(
            &exists,
            &absent,
            target.key(row.op),
            missing.key(row.op),
        ));
    }
    Ok(())
}

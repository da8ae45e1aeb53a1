//! The trials the matrix generates from the families' rows: one per row and persona, and one
//! leak trial per row whose outsider answer is 404.

use super::{Expect, Persona, Row};
use crate::{
    checks::{authz, http, list},
    config::Profile,
    suite::{CheckDef, Destructive, Family, Session, Stop, registry},
};

/// Every row of the matrix, family by family in the registry's order.
pub fn rows() -> impl Iterator<Item = &'static Row> {
    registry::families().iter().flat_map(|f| f.rows)
}

pub fn checks(families: &'static [Family]) -> Vec<CheckDef> {
    let rows = || families.iter().flat_map(|f| f.rows);
    let mut checks = Vec::new();
    for row in rows() {
        for persona in Persona::ALL {
            let profiles = intersect(row.profiles, persona.profiles(families));
            if profiles.is_empty() {
                continue;
            }
            let name = lasting(row.trial(persona));
            let summary = lasting(format!(
                "{} as {} answers {}",
                row.operation,
                persona.name(),
                row.expect(persona).describe()
            ));
            let destructive = if row.destructive {
                Destructive::Always
            } else {
                persona.destructive(families)
            };
            let mut check = CheckDef::new(name, summary, move |s| matrix_trial(s, row, persona))
                .only(profiles)
                .destructive_when(destructive);
            // Every persona but a bad token might rotate the token the row acts on.
            if row.destructive && !persona.harmless() {
                check = check.exclusive();
            }
            if persona == Persona::OwnersTeam {
                check = check.owners_team();
            }
            checks.push(check);
        }
    }
    for row in rows() {
        if !matches!(
            row.expect(Persona::Outsider),
            Expect::Status(&[404]) | Expect::Hidden
        ) {
            continue;
        }
        let name = lasting(row.leak_trial());
        let summary = lasting(format!(
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
fn lasting(name: String) -> &'static str {
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
    let target = (row.prepare)(s.clone(), expect.succeeds()).await?;
    let auth = persona.provision(&s).await?;
    let ex = (row.act)(s.clone(), target.clone(), auth, row.acting_step(persona)).await;
    if let Some(entitlement) = row.entitlement
        && expect.succeeds()
        && ex.status() == Some(404)
    {
        return Err(entitlement.lacking(&s, &ex));
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
    let target = (row.prepare)(s.clone(), false).await?;
    let missing = target.missing(&s);
    let auth = Persona::Outsider.provision(&s).await?;
    let exists = (row.act)(
        s.clone(),
        target.clone(),
        auth.clone(),
        format!("{} on an existing target", row.operation),
    )
    .await;
    let absent = (row.act)(
        s.clone(),
        missing.clone(),
        auth,
        format!("{} on a missing target", row.operation),
    )
    .await;
    if row.expect(Persona::Outsider) == Expect::Hidden {
        // The user-tokens docs let a list of another user's tokens tell an existing user
        // from a missing one (200 empty, 404): what is held is only that neither shows them.
        s.check(authz::user_list_documented(
            &exists,
            &absent,
            &target.key,
            &missing.key,
            &[&target.listed],
        ));
    } else {
        s.check(authz::indistinguishable(
            &exists,
            &absent,
            &target.key,
            &missing.key,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{spec::Spec, suite::authz::BAD};

    #[test]
    fn every_row_names_a_spec_operation_and_every_token_operation_has_a_row() {
        let spec = Spec::get();
        for row in rows() {
            assert!(
                spec.operation(row.operation).is_some(),
                "{} names no operation",
                row.name
            );
        }
        let fixtures = [
            "ping",
            "getAccountDetails",
            "getOrganization",
            "listTeams",
            "createTeam",
            "getTeam",
            "deleteTeam",
            "listAgentPools",
            "createAgentPool",
            "getAgentPool",
            "deleteAgentPool",
        ];
        for op in spec.operations() {
            if fixtures.contains(&op.id.as_str()) {
                continue;
            }
            assert!(
                rows().any(|r| r.operation == op.id),
                "the matrix has no row for {}",
                op.id
            );
        }
    }

    #[test]
    fn bad_tokens_always_get_401_and_only_bulk_delete_may_answer_403() {
        for row in rows() {
            for persona in [Persona::Anonymous, Persona::Malformed, Persona::Revoked] {
                assert_eq!(row.expect(persona), BAD, "{} {}", row.name, persona.name());
            }
            for persona in Persona::ALL {
                if let Expect::Status(codes) = row.expect(persona) {
                    assert!(
                        !codes.contains(&403) || row.name == "delete_team_tokens",
                        "{}",
                        row.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_persona_is_provided_wherever_a_row_may_need_it() {
        let families = registry::families();
        for persona in Persona::ALL {
            assert!(
                !persona.profiles(families).is_empty(),
                "no family provides {}",
                persona.name()
            );
        }
    }
}

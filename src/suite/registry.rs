//! The registry: every token family the suite knows, in the order their trials are listed,
//! and the whole suite built from them. Adding a family is a folder under `src/suite/` and a
//! line in `FAMILIES` (plus the spec and the reference server).

use std::sync::OnceLock;

use super::{
    CheckDef, Family, agent, audit_trails, auth, authz, conformance, legacy_team, organization,
    team, user,
};

static FAMILIES: &[Family] = &[
    organization::FAMILY,
    audit_trails::FAMILY,
    legacy_team::FAMILY,
    team::FAMILY,
    user::FAMILY,
    agent::FAMILY,
];

/// Every family, in the order their trials are listed.
pub fn families() -> &'static [Family] {
    FAMILIES
}

/// Every check, in the order trials are listed; built once per process: each family's own
/// trials, then authentication, then the authorization matrix of every family's rows, then
/// the whole-run checks (which must come last).
pub fn all() -> &'static [CheckDef] {
    static ALL: OnceLock<Vec<CheckDef>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut checks = Vec::new();
        for family in FAMILIES {
            checks.extend((family.trials)());
        }
        checks.extend(auth::checks());
        checks.extend(authz::checks(FAMILIES));
        checks.extend(conformance::checks());
        checks
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for check in all() {
            assert!(seen.insert(check.name), "duplicate check {}", check.name);
            let parts: Vec<_> = check.name.split("::").collect();
            assert!(parts.len() >= 2, "{} is not area::check", check.name);
            assert!(
                check
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == ':'),
                "{} has characters outside [a-z_:]",
                check.name
            );
            assert!(!check.summary.is_empty(), "{} has no summary", check.name);
        }
    }

    #[test]
    fn whole_run_checks_come_last() {
        // libtest-mimic hands trials out in order: a whole-run check that waits for the others
        // can only do so safely if every other trial was handed out before it.
        let checks = all();
        let first = checks.iter().position(|c| c.whole_run).expect("some");
        assert!(checks[first..].iter().all(|c| c.whole_run));
    }

    #[test]
    fn every_family_has_a_name_and_trials() {
        for family in families() {
            assert!(!family.name.is_empty());
            assert!(
                !(family.trials)().is_empty(),
                "{} has no trials",
                family.name
            );
        }
    }
}

//! The fault table, walked: every fault makes exactly the trials `trips.rs` names for it fail
//! (under `hcp`, the profile that runs every check), and every check of the suite is named for
//! at least one fault, so every check can fail. A fault's walk runs the trials its row names,
//! the whole-run checks and a fixed share of the rest (`sampled`); `FAULT_WALK_FULL=1` runs
//! the whole suite for every fault.

use std::{collections::BTreeSet, sync::Mutex};

use tfe_contract::{
    config::Profile,
    server::{self, Fault, FaultRow},
    suite,
};

use crate::{
    support::{Reference, failed},
    trips::{matches, may_trip, tripped, trips},
};

#[test]
fn every_check_can_fail_and_every_trip_exists() {
    let checks: BTreeSet<&str> = suite::all().iter().map(|c| c.name).collect();
    for row in Fault::TABLE {
        for trip in trips(row.item) {
            let pattern = trip.trim_start_matches(['!', '?']);
            assert!(
                checks.iter().any(|c| matches(pattern, c)),
                "{}: {trip} matches no trial",
                row.name
            );
        }
    }
    let tripped: BTreeSet<&str> = Fault::TABLE
        .iter()
        .flat_map(|r| tripped(r.item, checks.iter().copied()))
        .collect();
    let untested: Vec<_> = checks.difference(&tripped).collect();
    assert!(
        untested.is_empty(),
        "no fault makes these checks fail: {untested:?}"
    );
}

/// The trials a fault's walk skips (`support::sampled`): none of those its row names (as must
/// or may fail). `None`: every trial runs (`FAULT_WALK_FULL=1`).
fn sampled(turn: u64, want: &BTreeSet<String>, may: &BTreeSet<String>) -> Option<Vec<String>> {
    if std::env::var_os("FAULT_WALK_FULL").is_some() {
        return None;
    }
    Some(crate::support::sampled(turn, |name| {
        want.contains(name) || may.contains(name)
    }))
}

fn walk(turn: u64, row: &FaultRow, profile: Profile) -> Option<String> {
    let server_profile = profile.name().parse().expect("profiles share names");
    let reference = Reference::start(server_profile, &[row.item], &[]);
    let applies = suite::all()
        .iter()
        .filter(|c| c.applies_to(profile))
        .map(|c| c.name);
    let want: BTreeSet<String> = tripped(row.item, applies)
        .into_iter()
        .map(String::from)
        .collect();
    let may: BTreeSet<String> = may_trip(row.item, suite::all().iter().map(|c| c.name))
        .into_iter()
        .map(String::from)
        .collect();
    let mut config = reference.config(profile);
    if let Some(skipped) = sampled(turn, &want, &may) {
        config.libtest.skip = skipped;
        config.libtest.exact = true;
    }
    let report = tfe_contract::app::run(config).expect("the run starts");
    let got = failed(&report);
    let fits = got.is_superset(&want) && got.difference(&want).all(|t| may.contains(t));
    let expected_exit = if got.is_empty() { 0 } else { 101 };
    (!fits || report.exit_code() != expected_exit).then(|| {
        format!(
            "{} under {profile}: expected {want:?}, failed {got:?} (exit {})",
            row.name,
            report.exit_code()
        )
    })
}

#[test]
fn every_fault_trips_exactly_its_checks() {
    // FAULT_WALK_ONLY=a,b walks those faults alone, while one is being worked on.
    let only = std::env::var("FAULT_WALK_ONLY").ok();
    let only: Option<Vec<&str>> = only.as_deref().map(|o| o.split(',').collect());
    let work: Mutex<Vec<(u64, &FaultRow, Profile)>> = Mutex::new(
        (0u64..)
            .zip(Fault::TABLE)
            .filter(|(_, row)| only.as_ref().is_none_or(|o| o.contains(&row.name)))
            .map(|(turn, row)| (turn, row, Profile::Hcp))
            .collect(),
    );
    let mismatches = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let Some((turn, row, profile)) = work.lock().unwrap().pop() else {
                        break;
                    };
                    if let Some(m) = walk(turn, row, profile) {
                        mismatches.lock().unwrap().push(m);
                    }
                }
            });
        }
    });
    let mismatches = mismatches.into_inner().unwrap();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_fault_outside_the_profile_goes_unnoticed_but_not_passed() {
    // The audit-trails token exists only on HCP Terraform: under `tfe` its checks are ignored
    // with the reason, so a broken audit-trails token cannot fail, nor pass, a tfe run.
    let reference = Reference::start(server::Profile::Hcp, &[Fault::AuditExpiresByDefault], &[]);
    let report = reference.run(Profile::Tfe);
    assert!(failed(&report).is_empty());
    let audit = report
        .trial("audit_token::never_expires_by_default")
        .expect("listed");
    assert!(
        matches!(&audit.outcome, tfe_contract::record::TrialOutcome::Ignored(r) if r.contains("not in profile tfe")),
        "{:?}",
        audit.outcome
    );
}

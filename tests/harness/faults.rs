//! The fault table, walked: every fault makes exactly the trials it names fail, and every
//! check of the suite is named by at least one fault (every check can fail).

use std::collections::BTreeSet;

use tfe_contract::{
    config::Profile,
    server::{self, Fault},
    suite,
};

use crate::support::{Reference, failed};

#[test]
fn every_check_can_fail_and_every_trip_exists() {
    let checks: BTreeSet<&str> = suite::all().iter().map(|c| c.name).collect();
    let tripped: BTreeSet<&str> = Fault::TABLE
        .iter()
        .flat_map(|r| r.trips.iter().copied())
        .collect();
    let unknown: Vec<_> = tripped.difference(&checks).collect();
    assert!(
        unknown.is_empty(),
        "the fault table names trials that do not exist: {unknown:?}"
    );
    let untested: Vec<_> = checks.difference(&tripped).collect();
    assert!(
        untested.is_empty(),
        "no fault makes these checks fail: {untested:?}"
    );
}

#[test]
fn every_fault_trips_exactly_its_checks() {
    let mut mismatches = Vec::new();
    for row in Fault::TABLE {
        let reference = Reference::start(server::Profile::Tfe, &[row.item], &[]);
        let report = reference.run(Profile::Tfe);
        let got = failed(&report);
        let want: BTreeSet<String> = row.trips.iter().map(|s| s.to_string()).collect();
        if got != want {
            mismatches.push(format!("{}: expected {want:?}, failed {got:?}", row.name));
        }
        assert_eq!(report.exit_code(), 101, "{}", row.name);
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

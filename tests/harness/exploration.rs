//! Exploration (generated inputs, model-checked sequences, the secret as a credential): the
//! conforming reference server passes whatever the seed draws, a seed draws the same cases
//! again, a budget of 0 turns it off, and a baseline written with one seed holds with another.

use std::collections::BTreeSet;

use tfe_contract::{
    baseline::Baseline,
    config::{Profile, RunConfig},
    record::{RunReport, TrialOutcome},
    server::{self, Fault},
    suite,
};

use crate::support::{Reference, scratch};

/// The areas of the trials that explore: every other area is left out of these runs, but for
/// the whole-run rules, which judge the exploration's exchanges too.
fn explorations_only(config: &mut RunConfig) {
    let mut areas: Vec<&str> = suite::all()
        .iter()
        .filter(|c| !c.explores && !c.whole_run)
        .map(|c| c.area())
        .collect();
    areas.sort();
    areas.dedup();
    config.libtest.skip = areas.iter().map(|a| format!("{a}::")).collect();
}

fn explored(reference: &Reference, profile: Profile, seed: u64) -> RunReport {
    let mut config = reference.config(profile);
    config.seed = Some(seed);
    explorations_only(&mut config);
    tfe_contract::app::run(config).expect("the run starts")
}

#[test]
fn the_conforming_server_passes_twenty_seeds_in_a_row() {
    let reference = Reference::start(server::Profile::Hcp, &[], &[]);
    for seed in 1000..1020 {
        let report = explored(&reference, Profile::Hcp, seed);
        let failed: Vec<_> = report.failed().map(|t| &t.name).collect();
        assert_eq!(report.exit_code(), 0, "seed {seed}: {failed:?}");
        let explorers = report
            .trials
            .iter()
            .filter(|t| t.outcome == TrialOutcome::Passed)
            .filter(|t| ["inputs", "sequences", "credential"].contains(&area(&t.name)))
            .count();
        assert!(
            explorers >= 5,
            "seed {seed}: {explorers} exploring trials ran"
        );
    }
}

fn area(name: &str) -> &str {
    name.split("::").next().unwrap_or(name)
}

/// What the smallest case of `trial`'s finding says: the case, without the ids of its
/// requests (the server draws new ones each time).
fn smallest_case(report: &RunReport, trial: &str) -> String {
    let record = report.trial(trial).expect("the trial ran");
    let actual = &record.findings.first().expect("a finding").actual;
    actual
        .lines()
        .find(|l| l.contains("the smallest case found"))
        .expect("the case is shown")
        .to_string()
}

#[test]
fn a_seed_draws_the_same_cases_again_and_each_finding_says_how() {
    let reference = Reference::start(server::Profile::Hcp, &[Fault::LongDescriptionCut], &[]);
    let first = explored(&reference, Profile::Hcp, 7);
    let again = explored(&reference, Profile::Hcp, 7);
    let trial = "inputs::team_token_description";
    assert_eq!(first.exit_code(), 101);
    assert_eq!(smallest_case(&first, trial), smallest_case(&again, trial));
    let finding = &first.trial(trial).expect("ran").findings[0];
    assert_eq!(finding.rule, "description");
    for part in [
        "its requests:",
        "1. POST /api/v2/",
        "--seed 7 --explore-budget 4",
    ] {
        assert!(finding.actual.contains(part), "{part}: {}", finding.actual);
    }
    // Shrunk: the smallest description the fault still cuts is 81 characters long.
    let case = smallest_case(&first, trial);
    let description = case.split("description ").nth(1).expect("a description");
    assert_eq!(description.trim_matches('"').chars().count(), 81, "{case}");
    assert_eq!(first.seed, Some(7));
}

#[test]
fn a_budget_of_zero_turns_exploration_off() {
    let reference = Reference::start(server::Profile::Hcp, &[Fault::LongDescriptionCut], &[]);
    let mut config = reference.config(Profile::Hcp);
    config.explore_budget = 0;
    explorations_only(&mut config);
    let report = tfe_contract::app::run(config).expect("the run starts");
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.seed, None);
    let off = report
        .trials
        .iter()
        .filter(
            |t| matches!(&t.outcome, TrialOutcome::Ignored(r) if r.contains("--explore-budget 0")),
        )
        .count();
    assert!(off >= 5, "{off} exploring trials ignored");
}

#[test]
fn a_baseline_written_with_one_seed_holds_with_another() {
    let reference = Reference::start(server::Profile::Hcp, &[Fault::LongDescriptionCut], &[]);
    let file = scratch("exploration-baseline.toml");
    let mut config = reference.config(Profile::Hcp);
    config.seed = Some(3);
    config.write_baseline = Some(file.clone());
    explorations_only(&mut config);
    assert_eq!(
        tfe_contract::app::run(config).expect("runs").exit_code(),
        101
    );
    let written = Baseline::load(&file).expect("written");
    assert!(written.known.contains_key("inputs::team_token_description"));

    let mut config = reference.config(Profile::Hcp);
    config.seed = Some(9);
    config.baseline = Some(tfe_contract::config::BaselineConfig {
        path: file,
        strict: false,
    });
    explorations_only(&mut config);
    let report = tfe_contract::app::run(config).expect("runs");
    let record = report.trial("inputs::team_token_description").expect("ran");
    assert!(
        matches!(record.outcome, TrialOutcome::Known(_)),
        "{:?}",
        record.outcome
    );
    assert_eq!(report.exit_code(), 0);
}

/// The run of the one exploring trial `trial` against `reference` (seed 7), which passed.
fn explored_alone(reference: &Reference, trial: &str) -> RunReport {
    let mut config = reference.config(Profile::Tfe);
    config.seed = Some(7);
    config.libtest.filter = Some(trial.into());
    let report = tfe_contract::app::run(config).expect("the run starts");
    assert_eq!(
        report.exit_code(),
        0,
        "{:?}",
        crate::support::explain(&report)
    );
    report
}

/// The `Authorization` each of `trial`'s requests for `operation` went with.
fn credentials_of(report: &RunReport, trial: &str, operation: &str) -> BTreeSet<String> {
    report
        .trial(trial)
        .expect("ran")
        .exchanges
        .iter()
        .filter(|e| e.operation == operation)
        .filter_map(|e| e.request.headers.get("authorization")?.to_str().ok())
        .map(str::to_string)
        .collect()
}

/// The credentials the housekeeping's steps starting with `step` handed out, as sent.
fn handed_out(report: &RunReport, step: &str) -> BTreeSet<String> {
    report
        .housekeeping
        .iter()
        .filter(|e| e.step.starts_with(step))
        .filter_map(|e| e.json()?.pointer("/data/attributes/token")?.as_str())
        .map(|t| format!("Bearer {t}"))
        .collect()
}

#[test]
fn team_tokens_are_explored_with_the_team_managers_token_where_the_server_allows_it() {
    // Where teams may be given "manage teams", a team of the run's with it explores team
    // tokens (ref §5: such teams manage team tokens), sparing the user's limit (ref §6); where
    // the server ignores organization access, the manager cannot prove itself and the user's
    // token asks, as before. Both pass, and both ask the same.
    const TRIAL: &str = "sequences::team_tokens";
    let mut asked = Vec::new();
    for no_organization_access in [false, true] {
        let modes = server::Modes {
            no_organization_access,
            ..server::Modes::default()
        };
        let reference = Reference::start_with(server::Profile::Tfe, &[], &[], modes);
        let report = explored_alone(&reference, TRIAL);
        let creators = credentials_of(&report, TRIAL, "createTeamAuthenticationToken");
        let owner = format!("Bearer {}", reference.token.expose());
        let manager = handed_out(&report, "the run's team manager: create its team's token");
        if no_organization_access {
            assert_eq!(creators, BTreeSet::from([owner]), "the user's token asks");
        } else {
            assert_eq!(manager.len(), 1, "the manager was made");
            assert_eq!(creators, manager, "the manager asks");
        }
        let trial = report.trial(TRIAL).expect("ran");
        asked.push(
            trial
                .exchanges
                .iter()
                .map(|e| e.operation)
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(asked[0], asked[1], "the same sequence is asked either way");
}

#[test]
fn agent_tokens_are_explored_with_the_set_up_tokens_where_they_may() {
    // The api-tokens docs give an owners-team token an owner's permissions: once a set-up
    // token has shown it may manage agent tokens, the set-up tokens explore them, sparing the
    // user's limit (ref §6); a server that refuses them there has the user's token explore,
    // and the sequences pass either way.
    const TRIAL: &str = "sequences::agent_tokens";
    for refused in [false, true] {
        let faults = if refused {
            vec![Fault::AgentTokensRefuseTeamTokens]
        } else {
            Vec::new()
        };
        let reference = Reference::start(server::Profile::Tfe, &faults, &[]);
        let report = explored_alone(&reference, TRIAL);
        let creators = credentials_of(&report, TRIAL, "createAgentToken");
        let owner = format!("Bearer {}", reference.token.expose());
        let set_up = handed_out(&report, "the run's set-up token: create");
        assert_eq!(set_up.len(), 2, "a pair of set-up tokens");
        if refused {
            assert_eq!(creators, BTreeSet::from([owner]), "the user's token asks");
        } else {
            assert!(
                !creators.is_empty() && creators.is_subset(&set_up),
                "set-up tokens ask"
            );
        }
    }
}

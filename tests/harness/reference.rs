//! Against the clean reference server, and against servers that differ only in ways the
//! contract allows, every trial passes, under every profile.

use tfe_contract::{
    config::Profile,
    record::TrialOutcome,
    server::{self, Quirk},
};

use crate::support::{Reference, failed};

fn server_profile(p: Profile) -> server::Profile {
    p.name().parse().expect("profiles share names")
}

#[test]
fn clean_server_passes_every_profile() {
    for profile in Profile::ALL {
        let reference = Reference::start(server_profile(profile), &[], &[]);
        let report = reference.run(profile);
        assert!(
            failed(&report).is_empty(),
            "{profile}: {}",
            crate::support::explain(&report)
        );
        let passed = report
            .trials
            .iter()
            .filter(|t| t.outcome == TrialOutcome::Passed)
            .count();
        assert_eq!(
            passed,
            tfe_contract::suite::all()
                .iter()
                .filter(|c| c.applies_to(profile))
                .count()
        );
        assert_eq!(report.exit_code(), 0);
        assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
        // The spec's x-profiles agree with the suite: a profile calls only its API's operations.
        let spec = tfe_contract::spec::Spec::get();
        for ex in report.exchanges() {
            let op = spec.operation(ex.operation).expect("a spec operation");
            assert!(
                op.in_profile(profile.name()),
                "{profile} called {} (x-profiles {:?})",
                op.id,
                op.profiles
            );
        }
    }
}

#[test]
fn every_quirk_passes_alone_and_together() {
    let all: Vec<Quirk> = Quirk::TABLE.iter().map(|r| r.item).collect();
    // Each quirk alone runs a share of the trials, a different share for each quirk
    // (`support::sampled`; QUIRK_WALK_FULL=1: every trial); all of them at once, a server
    // built from the docs rather than from this project (other ids, titles, extra members,
    // charset, lists without links, create team 201 or 200, user lists as documented), runs
    // every trial under every profile.
    let full = std::env::var_os("QUIRK_WALK_FULL").is_some();
    let mut cases: Vec<(Vec<Quirk>, Profile, Vec<String>)> = (0u64..)
        .zip(&all)
        .map(|(turn, q)| {
            let skip = if full {
                Vec::new()
            } else {
                crate::support::sampled(turn, |_| false)
            };
            (vec![*q], Profile::Hcp, skip)
        })
        .collect();
    for profile in Profile::ALL {
        cases.push((all.clone(), profile, Vec::new()));
    }
    for (quirks, profile, skip) in cases {
        let reference = Reference::start(server_profile(profile), &[], &quirks);
        let mut config = reference.config(profile);
        if !skip.is_empty() {
            config.libtest.skip = skip;
            config.libtest.exact = true;
        }
        let report = tfe_contract::app::run(config).expect("the run starts");
        assert!(
            failed(&report).is_empty(),
            "quirks {quirks:?} under {profile}: {}",
            crate::support::explain(&report)
        );
    }
}

#[test]
fn ids_for_missing_targets_have_the_shape_of_the_servers_own() {
    // A server that parses its ids tells a malformed id from an unknown one. Every id the
    // harness invents for something missing is derived from a real one, so only the trial
    // that sends a malformed id on purpose ever gets the "malformed id" answer.
    let reference = Reference::start(server::Profile::Hcp, &[], &[Quirk::ParsedIds]);
    let report = reference.run(Profile::Hcp);
    assert!(failed(&report).is_empty(), "{:?}", failed(&report));
    let mut unknown = 0;
    for trial in &report.trials {
        for ex in trial.exchanges.iter() {
            let body = ex
                .response()
                .map(|r| String::from_utf8_lossy(&r.body).into_owned())
                .unwrap_or_default();
            if body.contains("malformed id") {
                assert_eq!(
                    trial.name, "team_token::malformed_team_id_not_server_error",
                    "{} sent a malformed id: {}",
                    trial.name, ex.request.path
                );
            } else if ex.status() == Some(404) {
                unknown += 1;
            }
        }
    }
    assert!(
        unknown > 20,
        "missing targets were asked for ({unknown} 404s)"
    );
}

#[test]
fn a_server_lacking_what_its_profile_lacks_passes_that_profile_only() {
    // A seeds-era server: organization and legacy team tokens, no default expiry, none of the
    // later routes. Held to `legacy` it passes; held to `tfe` it fails, naming what is missing.
    let legacy = Reference::start(server::Profile::Legacy, &[], &[]);
    let report = legacy.run(Profile::Legacy);
    assert!(
        failed(&report).is_empty(),
        "{}",
        crate::support::explain(&report)
    );

    let report = legacy.run(Profile::Tfe);
    let failures = failed(&report);
    // TFE may leave the default expiry null (older releases, HashiCorp's OpenAPI file): that
    // passes `tfe`; HCP Terraform sets two years, so `hcp` fails it.
    assert!(
        !failures.contains("org_token::expiry_default"),
        "{failures:?}"
    );
    let hcp = failed(&legacy.run(Profile::Hcp));
    assert!(hcp.contains("org_token::expiry_default"), "{hcp:?}");
    for expected in [
        "team_tokens::create_returns_token_document",
        "team_token_list::lists_without_secrets",
        "user_token::create_returns_token_document",
    ] {
        assert!(
            failures.contains(expected),
            "{expected} not among {failures:?}"
        );
    }
    let message = report
        .trial("team_tokens::create_returns_token_document")
        .and_then(|t| t.message.clone())
        .unwrap_or_default();
    assert!(
        message.contains("POST /api/v2/teams/")
            && message.contains("/authentication-tokens -> 404"),
        "the failure names the missing endpoint: {message}"
    );

    // And a current server held to `legacy` fails only where expiry defaults differ.
    let current = Reference::start(server::Profile::Tfe, &[], &[]);
    let report = current.run(Profile::Legacy);
    assert_eq!(
        failed(&report),
        [
            "org_token::expiry_default".to_string(),
            "team_token::expiry_rules".to_string()
        ]
        .into()
    );
}

#[test]
fn trials_sharing_the_organization_token_do_not_race() {
    let reference = Reference::start(server::Profile::Tfe, &[], &[]);
    for threads in [1, 16] {
        let mut config =
            tfe_contract::config::RunConfig::new(tfe_contract::config::TargetSpec::Remote {
                address: reference.address(),
                token: Some(reference.token.clone()),
                organization: Some(crate::support::ORG.into()),
            });
        config.libtest.test_threads = Some(threads);
        config.libtest.logfile = Some(crate::support::scratch("race.log").display().to_string());
        config.quiet = true;
        let report = tfe_contract::app::run(config).expect("run");
        assert!(
            failed(&report).is_empty(),
            "{threads} threads: {}",
            crate::support::explain(&report)
        );
    }
}

#[test]
fn reference_server_shares_no_code_with_the_harness() {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/server") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            for line in text.lines() {
                let code = line.trim_start();
                assert!(
                    !code.contains("crate::") && !code.contains("super::super"),
                    "{} reaches outside the server: {line}",
                    path.display()
                );
            }
        }
    }
}

//! A target whose organization has no agents entitlement is no pass: it cannot make the agent
//! pool every agent-token trial needs (404), so each of those trials fails with one finding
//! that says so and how to leave them out, nothing else fails, the run's summary says it once,
//! and with `--skip agent_token` the run passes.

use std::collections::BTreeSet;

use tfe_contract::{config::Profile, server, suite};

use crate::support::{ORG, Reference, Served, bin, failed};

fn agent_trials(profile: Profile) -> BTreeSet<String> {
    suite::all()
        .iter()
        .filter(|c| c.applies_to(profile) && c.name.contains("agent_token"))
        .map(|c| c.name.to_string())
        .collect()
}

#[test]
fn without_agents_each_agent_trial_fails_once_saying_so() {
    let modes = server::Modes {
        no_agents: true,
        ..server::Modes::default()
    };
    let reference = Reference::start_with(server::Profile::Hcp, &[], &[], modes);
    let report = reference.run(Profile::Hcp);
    let agent = agent_trials(Profile::Hcp);
    assert!(
        agent.len() > 40,
        "agent_token::, authz:: and leak:: trials: {agent:?}"
    );
    assert_eq!(failed(&report), agent, "only the agent trials fail");
    for name in &agent {
        let trial = report.trial(name).expect("listed");
        assert_eq!(trial.findings.len(), 1, "{name}: {:#?}", trial.findings);
        let finding = &trial.findings[0];
        assert_eq!(finding.rule, suite::NO_AGENT_POOL.rule, "{name}");
        assert!(
            finding.actual.contains("no agents entitlement")
                && finding.actual.contains("--skip agent_token"),
            "{name}: {}",
            finding.actual
        );
        assert!(
            finding.exchange.as_deref().is_some_and(
                |e| e.contains("POST /api/v2/organizations/") && e.contains("agent-pools")
            ),
            "{name}: names the create: {:?}",
            finding.exchange
        );
    }
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
}

#[test]
fn the_summary_says_how_to_skip_them_and_skipping_them_passes() {
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &["--no-agents"]);
    let run = |extra: &[&str]| {
        bin()
            .args(["run", "--address", &served.address, "--organization", ORG])
            .args(extra)
            .env("TFE_TOKEN", token.expose())
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("leave them out with --skip agent_token"))
        .collect();
    let count = agent_trials(Profile::Tfe).len();
    assert_eq!(said.len(), 1, "{stderr}");
    assert!(
        said[0].contains(&format!("{count} agent-token trial(s)")),
        "{stderr}"
    );

    let out = run(&["--skip", "agent_token"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("agent_token"), "{stdout}");
}

/// Every trial on HCP Terraform's audit-trails token: its own area and the matrix and leak rows.
fn audit_trials() -> BTreeSet<String> {
    suite::all()
        .iter()
        .filter(|c| c.applies_to(Profile::Hcp))
        .filter(|c| c.name.contains("audit_token") || c.name.contains("audit_trails"))
        .map(|c| c.name.to_string())
        .collect()
}

#[test]
fn without_audit_trails_the_trials_that_need_the_token_fail_once_saying_so() {
    // An HCP Terraform organization without the audit-trails entitlement: the token is a 404
    // (ref §5). The trials that need it made fail with one finding naming the entitlement and
    // how to leave them out; the rest of the run (whose expectation for a forbidden persona is
    // 404 anyway) passes.
    let modes = server::Modes {
        no_audit_trails: true,
        ..server::Modes::default()
    };
    let reference = Reference::start_with(server::Profile::Hcp, &[], &[], modes);
    let report = reference.run(Profile::Hcp);
    let failures = failed(&report);
    let audit = audit_trials();
    assert!(
        !failures.is_empty() && failures.is_subset(&audit),
        "only audit-trails trials fail: {:?}",
        failures.difference(&audit).collect::<Vec<_>>()
    );
    for name in &failures {
        let trial = report.trial(name).expect("listed");
        assert_eq!(trial.findings.len(), 1, "{name}: {:#?}", trial.findings);
        let finding = &trial.findings[0];
        assert_eq!(finding.rule, suite::NO_AUDIT_TRAILS.rule, "{name}");
        assert!(
            finding.actual.contains("no audit-trails entitlement")
                && finding
                    .actual
                    .contains("--skip audit_token --skip audit_trails"),
            "{name}: {}",
            finding.actual
        );
    }
    for name in [
        "audit_token::create_returns_separate_token",
        "audit_token::never_expires_by_default",
        "authz::create_audit_trails_token::owner",
        "authz::show_audit_trails_token::owner",
    ] {
        assert!(failures.contains(name), "{name} not among {failures:?}");
    }

    // The summary says it once; skipping as it says passes.
    let token = tfe_contract::runner::random_token();
    let served = Served::start(token.expose(), &["--profile", "hcp", "--no-audit-trails"]);
    let run = |extra: &[&str]| {
        bin()
            .args(["run", "--profile", "hcp", "--address", &served.address])
            .args(["--organization", ORG])
            .args(extra)
            .env("TFE_TOKEN", token.expose())
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    let said = stderr
        .lines()
        .filter(|l| l.contains("leave them out with --skip audit_token --skip audit_trails"))
        .count();
    assert_eq!(said, 1, "{stderr}");
    let out = run(&["--skip", "audit_token", "--skip", "audit_trails"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

//! Causes, not just trials: a server lacking routes is told which operations it lacks, which
//! trials fail only for that, and which narrower profile fits it.

use tfe_contract::{
    config::Profile,
    report::causes::Causes,
    server::{self, Modes},
};

use crate::support::{ORG, Reference, Served, bin, failed};

fn lacking_routes(profile: server::Profile) -> Reference {
    Reference::start_with(
        profile,
        &[],
        &[],
        Modes {
            plain_unknown_routes: true,
            ..Modes::default()
        },
    )
}

#[test]
fn a_server_without_the_later_routes_is_told_they_are_unimplemented_and_which_profile_fits() {
    let reference = lacking_routes(server::Profile::Legacy);
    let report = reference.run(Profile::Tfe);
    let causes = Causes::of(&report);
    assert_eq!(
        causes.unimplemented,
        [
            "listAgentPools",
            "createAgentPool",
            "listTeamTokens",
            "createTeamAuthenticationToken",
            "listUserTokens",
            "createUserToken"
        ]
    );
    assert_eq!(causes.fitting_profile, Some(Profile::Legacy));
    // Most failures are explained by the missing routes alone; what is left is grouped.
    let failures = failed(&report);
    assert!(
        causes.only_unimplemented.len() * 10 >= failures.len() * 9,
        "{} of {} explained",
        causes.only_unimplemented.len(),
        failures.len()
    );
    for name in &causes.only_unimplemented {
        assert!(failures.contains(name), "{name} did not fail");
    }
    for group in &causes.groups {
        assert!(
            group
                .operation
                .as_deref()
                .is_none_or(|op| !causes.unimplemented.iter().any(|u| u == op)),
            "{group:?} is on an unimplemented operation"
        );
    }
    let sizes: Vec<usize> = causes.groups.iter().map(|g| g.trials.len()).collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {sizes:?}"
    );

    // The same server held to the profile that fits it passes.
    assert!(failed(&reference.run(Profile::Legacy)).is_empty());
}

#[test]
fn an_hcp_run_against_a_server_without_bulk_delete_suggests_tfe() {
    let reference = lacking_routes(server::Profile::Tfe);
    let report = reference.run(Profile::Hcp);
    let causes = Causes::of(&report);
    assert_eq!(causes.unimplemented, ["deleteTeamTokens"]);
    assert_eq!(causes.fitting_profile, Some(Profile::Tfe));
}

#[test]
fn a_clean_run_has_no_causes_and_a_json_error_404_is_not_unimplemented() {
    // The default server answers a route it lacks (bulk delete, under tfe) with TFE's own
    // JSON:API 404: that may be a missing thing rather than a missing route.
    let reference = Reference::start(server::Profile::Tfe, &[], &[]);
    let causes = Causes::of(&reference.run(Profile::Hcp));
    assert!(causes.unimplemented.is_empty(), "{causes:?}");
    assert_eq!(causes.fitting_profile, None);
    let causes = Causes::of(&reference.run(Profile::Tfe));
    assert!(causes.is_empty(), "{causes:?}");
}

#[test]
fn the_summary_and_the_json_report_name_the_causes() {
    let token = tfe_contract::runner::random_token();
    let served = Served::start(
        token.expose(),
        &["--profile", "legacy", "--plain-unknown-routes"],
    );
    let json = crate::support::scratch("causes.json");
    let html = crate::support::scratch("causes.html");
    let out = bin()
        .args(["run", "--address", &served.address, "--organization", ORG])
        .args(["--report-json", &json.display().to_string()])
        .args(["--report-html", &html.display().to_string()])
        .env("TFE_TOKEN", token.expose())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    assert!(
        stderr.contains("tfe-contract: unimplemented: listAgentPools, createAgentPool, listTeamTokens, createTeamAuthenticationToken, listUserTokens, createUserToken"),
        "{stderr}"
    );
    assert!(stderr.contains("run with --profile legacy"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("json");
    assert_eq!(
        report["unimplemented"],
        serde_json::json!([
            "listAgentPools",
            "createAgentPool",
            "listTeamTokens",
            "createTeamAuthenticationToken",
            "listUserTokens",
            "createUserToken"
        ])
    );
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(
        page.contains("unimplemented: listAgentPools, createAgentPool, listTeamTokens")
            && page.contains("run with --profile legacy"),
        "the page's header has the causes"
    );
    let causes = report["causes"].as_array().expect("causes");
    assert!(
        causes
            .iter()
            .all(|c| c["kind"].is_string() && c["trials"].is_array()),
        "{causes:?}"
    );
}

fn clients_named(report: &tfe_contract::record::RunReport, trial: &str) -> Vec<&'static str> {
    let mut named: Vec<&'static str> = report
        .trial(trial)
        .expect("ran")
        .findings
        .iter()
        .flat_map(|f| f.clients.iter().map(|b| b.client))
        .collect();
    named.dedup();
    named
}

#[test]
fn a_finding_names_the_clients_it_breaks() {
    use tfe_contract::server::Fault;
    // Timestamps with +00:00: go-tfe's JSON:API decoder takes only ...Z.
    let reference = Reference::start(server::Profile::Tfe, &[Fault::TimestampsWithOffset], &[]);
    let report = reference.run(Profile::Tfe);
    assert_eq!(
        clients_named(&report, "jsonapi::timestamps_utc"),
        ["go-tfe"]
    );
    let message = report
        .trial("jsonapi::timestamps_utc")
        .and_then(|t| t.message.clone())
        .unwrap_or_default();
    assert!(
        message.contains("breaks go-tfe:") && message.contains("request.go:745-767"),
        "{message}"
    );

    // A server refusing expired-at without a zone: pytfe's create fails, and only pytfe's.
    let reference = Reference::start(server::Profile::Tfe, &[Fault::ZonelessExpiryRejected], &[]);
    let json = crate::support::scratch("clients.json");
    let mut config =
        tfe_contract::config::RunConfig::new(tfe_contract::config::TargetSpec::Remote {
            address: reference.address(),
            token: Some(reference.token.clone()),
            organization: Some(ORG.into()),
        });
    config.report_json = Some(json.clone());
    let html = crate::support::scratch("clients.html");
    config.report_html = Some(html.clone());
    config.quiet = true;
    // The fault also refuses the expiries exploration draws; only the fixed trials matter here.
    config.explore_budget = 0;
    config.libtest.logfile = Some(crate::support::scratch("libtest.log").display().to_string());
    let report = tfe_contract::app::run(config).expect("runs");
    assert_eq!(
        failed(&report),
        ["org_token::accepts_real_client_bodies".to_string()].into()
    );
    assert_eq!(
        clients_named(&report, "org_token::accepts_real_client_bodies"),
        ["pytfe"]
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("json");
    assert_eq!(
        doc["clients"],
        serde_json::json!({"pytfe": ["org_token::accepts_real_client_bodies"]})
    );
    let trial = doc["trials"]
        .as_array()
        .expect("trials")
        .iter()
        .find(|t| t["name"] == "org_token::accepts_real_client_bodies")
        .expect("listed");
    assert_eq!(trial["findings"][0]["clients"][0]["client"], "pytfe");
    let page = std::fs::read_to_string(&html).expect("html written");
    assert!(page.contains("breaks pytfe:"), "the page names the client");
    assert!(
        trial["findings"][0]["clients"][0]["location"]
            .as_str()
            .is_some_and(|l| l.contains("organization_token.py")),
        "{trial}"
    );
}

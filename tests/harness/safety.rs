//! Safety on real accounts: whatever a run creates is deleted (also when trials fail or the run
//! is interrupted), what cannot be deleted is listed by id, and against a target that is not
//! loopback the destructive trials are left alone unless the user allows them.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use tfe_contract::{
    app,
    config::{Profile, RunConfig, TargetSpec},
    exchange::Exchange,
    record::TrialOutcome,
    runner,
    server::{self, Fault},
};

use crate::support::{ORG, Reference, SEED, bin, failed, scratch};

fn config(reference: &Reference, profile: Profile) -> RunConfig {
    let mut config = RunConfig::new(TargetSpec::Remote {
        address: reference.address(),
        token: Some(reference.token.clone()),
        organization: Some(ORG.into()),
    });
    config.profile = profile;
    config.libtest.logfile = Some(scratch("libtest.log").display().to_string());
    config.quiet = true;
    // The harness's fixed seed: these tests are about safety, `exploration.rs` about seeds.
    config.seed = Some(SEED);
    config
}

#[test]
fn a_run_with_failing_trials_leaves_nothing_behind() {
    let faults = [
        Fault::Forbidden403,
        Fault::CreateStatus200,
        Fault::ReadShowsSecret,
        Fault::EmptySecret,
        // A trial that fails deletes even the tokens of a pool it deleted.
        Fault::PoolDeletionKeepsTokens,
    ];
    let reference = Reference::start(server::Profile::Hcp, &faults, &[]);
    let before = reference.handle.inventory();
    let report = app::run(config(&reference, Profile::Hcp)).expect("runs");
    assert!(!failed(&report).is_empty(), "the faults make trials fail");
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
    assert_eq!(
        reference.handle.inventory(),
        before,
        "the run left something on the server"
    );
}

#[test]
fn what_a_trial_creates_is_deleted_as_soon_as_it_ends() {
    let reference = Reference::start(server::Profile::Tfe, &[], &[]);
    let report = app::run(config(&reference, Profile::Tfe)).expect("runs");
    assert!(failed(&report).is_empty(), "{:?}", failed(&report));
    let mut made = std::collections::HashMap::new();
    // Teams and agent pools go right after the trial that made them, and an agent token
    // before its pool.
    for (create, delete) in [
        ("createTeam", "deleteTeam"),
        ("createAgentPool", "deleteAgentPool"),
        ("createAgentToken", "deleteAuthenticationToken"),
    ] {
        for trial in &report.trials {
            let created: Vec<&str> = trial
                .exchanges
                .iter()
                .filter(|e| e.operation == create && matches!(e.status(), Some(200 | 201)))
                .filter_map(|e| e.json()?.pointer("/data/id")?.as_str())
                .collect();
            for id in created {
                *made.entry(create).or_insert(0) += 1;
                let deleted = |what: &str| {
                    trial.released.iter().position(|e| {
                        e.operation == what
                            && e.request.path.ends_with(id)
                            && matches!(e.status(), Some(204 | 404))
                    })
                };
                // A token the trial deleted itself is not deleted again; nor, after a trial
                // that passed, an agent token whose pool the trial deleted.
                let by_trial = trial.exchanges.iter().any(|e| {
                    e.operation == delete && e.request.path.ends_with(id) && e.status() == Some(204)
                }) || create == "createAgentToken"
                    && trial.findings.is_empty()
                    && pool_deleted_after(&trial.exchanges, id);
                assert!(
                    by_trial || deleted(delete).is_some(),
                    "{}: {create} {id} not undone right after it",
                    trial.name
                );
                if create == "createAgentToken" && !by_trial {
                    let pool = trial
                        .exchanges
                        .iter()
                        .find(|e| {
                            e.operation == create
                                && e.json().is_some_and(|d| {
                                    d.pointer("/data/id").and_then(|v| v.as_str()) == Some(id)
                                })
                        })
                        .and_then(|e| e.request.path.split('/').nth(4))
                        .expect("the pool it was made in");
                    let pool_gone = trial.released.iter().position(|e| {
                        e.operation == "deleteAgentPool" && e.request.path.ends_with(pool)
                    });
                    assert!(
                        pool_gone.is_none_or(|p| deleted(delete).is_some_and(|t| t < p)),
                        "{}: agent token {id} deleted after its pool",
                        trial.name
                    );
                }
            }
        }
    }
    assert!(made["createTeam"] > 20, "the suite creates teams: {made:?}");
    assert!(made["createAgentPool"] > 20, "and agent pools: {made:?}");
    assert!(made["createAgentToken"] > 20, "and agent tokens: {made:?}");
    // Housekeeping deletes the organization token, the teams the whole-run tour created and
    // what the personas one credential serves for the whole run were made of (their teams and
    // user tokens, and the agent-token explorer's pool, made as housekeeping), nothing a
    // trial made.
    let tour_teams: Vec<&str> = report
        .tour
        .iter()
        .filter(|e| e.operation == "createTeam")
        .chain(report.housekeeping.iter().filter(|e| {
            e.step != "cleanup"
                && matches!(
                    e.operation,
                    "createTeam" | "createUserToken" | "createAgentPool"
                )
        }))
        .filter_map(|e| e.json()?.pointer("/data/id")?.as_str())
        .collect();
    let stray: Vec<&str> = report
        .housekeeping
        .iter()
        .filter(|e| e.step == "cleanup" && !e.operation.contains("OrganizationToken"))
        .filter(|e| !tour_teams.iter().any(|id| e.request.path.ends_with(id)))
        .map(|e| e.request.path.as_str())
        .collect();
    assert!(stray.is_empty(), "left to the end: {stray:?}");
    // The personas that serve the whole run are made once, as housekeeping, not per trial.
    for step in [
        "persona: create the outsider team's token",
        "persona: replace it",
        "persona: create another user token",
    ] {
        let in_trials = report
            .trials
            .iter()
            .flat_map(|t| t.exchanges.iter())
            .filter(|e| e.step == step)
            .count();
        let once = report
            .housekeeping
            .iter()
            .filter(|e| e.step == step)
            .count();
        assert_eq!((in_trials, once), (0, 1), "{step}");
    }
}

/// Whether the trial deleted (204) the pool it made the agent token `id` in, after making it.
fn pool_deleted_after(exchanges: &[Exchange], id: &str) -> bool {
    let Some(made) = exchanges.iter().position(|e| {
        e.operation == "createAgentToken"
            && e.json()
                .and_then(|d| d.pointer("/data/id")?.as_str().map(|v| v == id))
                == Some(true)
    }) else {
        return false;
    };
    let pool = exchanges[made]
        .request
        .path
        .split('/')
        .nth(4)
        .unwrap_or("-");
    exchanges[made..].iter().any(|e| {
        e.operation == "deleteAgentPool"
            && e.request.path.ends_with(pool)
            && e.status() == Some(204)
    })
}

#[test]
fn what_cannot_be_deleted_is_listed_by_id() {
    let reference = Reference::start(server::Profile::Tfe, &[Fault::TeamDelete500], &[]);
    let report = app::run(config(&reference, Profile::Tfe)).expect("runs");
    let teams_left = reference.handle.inventory().teams.len() - 1;
    assert!(teams_left > 0);
    let listed: Vec<_> = report
        .leftovers
        .iter()
        .filter(|l| l.starts_with("team team-"))
        .collect();
    assert_eq!(listed.len(), teams_left, "{:?}", report.leftovers);
}

#[test]
fn what_a_garbled_create_made_is_found_by_the_runs_tag_and_deleted() {
    // Every answer to a POST comes back cut in half: the run never learns the ids of the
    // teams and tokens it made. At its end it finds them by its tag and deletes them.
    let modes = server::Modes {
        garble_creates: true,
        ..server::Modes::default()
    };
    let reference = Reference::start_with(server::Profile::Tfe, &[], &[], modes);
    let before = reference.handle.inventory();
    let mut config = config(&reference, Profile::Tfe);
    config.assume_remote = true;
    let report = app::run(config).expect("runs");
    assert!(!failed(&report).is_empty(), "garbled creates fail trials");
    let after = reference.handle.inventory();
    assert_eq!(after, before, "left behind: {:?}", report.leftovers);
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
}

#[test]
fn an_id_that_cannot_be_one_segment_is_never_sent_and_its_origin_is_named() {
    // Every team the server makes is called `..`: a request for it would climb a level.
    let modes = server::Modes {
        dot_ids: true,
        ..server::Modes::default()
    };
    let reference = Reference::start_with(server::Profile::Tfe, &[], &[], modes);
    let mut config = config(&reference, Profile::Tfe);
    config.libtest.filter = Some("team_token::create_returns_token_document".into());
    let report = app::run(config).expect("runs");
    let trial = report
        .trial("team_token::create_returns_token_document")
        .expect("ran");
    let refused = trial
        .exchanges
        .iter()
        .find(|e| {
            e.outcome
                .as_ref()
                .err()
                .is_some_and(|err| err.message.starts_with("not sent"))
        })
        .expect("a request was refused");
    let message = &refused.outcome.as_ref().unwrap_err().message;
    assert!(message.contains("\"..\""), "{message}");
    assert!(
        message.contains("create team"),
        "names the exchange that handed it out: {message}"
    );
    assert!(
        trial
            .exchanges
            .iter()
            .all(|e| !e.request.path.contains("/teams/../")),
        "nothing was sent for it"
    );
}

#[test]
fn ids_that_climb_steer_no_request_and_the_accounts_token_survives() {
    // A hostile server hands out ids such as `team-X\..\..\..\organizations\ORG\
    // authentication-token`. Each stays one (percent-encoded) path segment: every trial goes
    // where it means to, and the account's organization token is untouched.
    let modes = server::Modes {
        climbing_ids: true,
        ..server::Modes::default()
    };
    let reference = Reference::start_with(server::Profile::Tfe, &[], &[], modes);
    let client = raw::Client;
    let (id, secret) = client.create_org_token(&reference);
    let mut config = config(&reference, Profile::Tfe);
    config.assume_remote = true;
    let report = app::run(config).expect("runs");
    assert!(
        failed(&report).is_empty(),
        "{}",
        crate::support::explain(&report)
    );
    let sent = report
        .trials
        .iter()
        .flat_map(|t| t.exchanges.iter().chain(&t.released))
        .chain(&report.tour)
        .chain(&report.housekeeping);
    let mut encoded = 0;
    for ex in sent {
        encoded += usize::from(ex.request.path.contains("%5C..%5C"));
        assert!(
            ex.request.path.starts_with("/api/v2/"),
            "{}",
            ex.request.path
        );
        assert!(
            !(ex.request
                .path
                .contains("/organizations/harness-org/authentication-token")
                && ex.request.method != http::Method::GET),
            "{} {}",
            ex.request.method,
            ex.request.path
        );
    }
    assert!(
        encoded > 50,
        "the climbing ids were sent, encoded ({encoded})"
    );
    assert_eq!(client.organization_status(&reference, &secret), 200);
    assert!(
        reference
            .handle
            .inventory()
            .tokens
            .iter()
            .any(|t| t.ends_with(&id)),
        "the organization token is still there"
    );
}

#[test]
fn a_real_account_keeps_its_organization_token() {
    let reference = Reference::start(server::Profile::Hcp, &[], &[]);
    // The account's own organization token, made before the run.
    let client = raw::Client;
    let (id, secret) = client.create_org_token(&reference);
    // And an agent pool of its own, with a token its agents use; named like the run's.
    let (_, agent_token) = client.create_agent_pool(&reference, "tfe-contract-agents-prod-1");
    let before = reference.handle.inventory();

    let mut config = config(&reference, Profile::Hcp);
    config.assume_remote = true;
    let report = app::run(config).expect("runs");
    assert!(
        failed(&report).is_empty(),
        "{}",
        crate::support::explain(&report)
    );
    let destructive = tfe_contract::suite::all()
        .iter()
        .filter(|c| c.destructive.under(Profile::Hcp))
        .count();
    let ignored: Vec<_> = report
        .trials
        .iter()
        .filter(|t| matches!(&t.outcome, TrialOutcome::Ignored(r) if r.starts_with("destructive")))
        .collect();
    assert_eq!(ignored.len(), destructive);
    assert!(
        destructive > 50,
        "the matrix's organization-token rows are destructive"
    );

    assert_eq!(
        client.organization_status(&reference, &secret),
        200,
        "the token still works"
    );
    assert!(
        reference
            .handle
            .inventory()
            .tokens
            .iter()
            .any(|t| t.ends_with(&id))
    );
    assert!(
        reference
            .handle
            .inventory()
            .tokens
            .contains(&format!("Agent {agent_token}")),
        "the account's agent token is untouched"
    );
    assert_eq!(reference.handle.inventory(), before);
}

#[test]
fn ctrl_c_stops_the_run_and_deletes_what_it_made() {
    let token = runner::random_token();
    let mut config = server::Config::new(ORG, token.expose(), server::Profile::Hcp);
    config.modes.delay = Duration::from_millis(20);
    let handle = server::spawn(config).expect("server");
    let before = handle.inventory();
    let child = bin()
        .args([
            "run",
            "--address",
            &format!("http://{}", handle.addr),
            "--organization",
            ORG,
        ])
        .args(["--profile", "hcp"])
        .env("TFE_TOKEN", token.expose())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // Wait until the run has made something, then interrupt it.
    let started = Instant::now();
    while handle.inventory().teams.len() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run made nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!stderr.contains("left behind"), "{stderr}");
    assert_eq!(handle.inventory(), before, "{stderr}");
}

/// The test's own requests to the reference server, over a bare socket: what the account
/// holds before the run must not depend on the harness under test.
mod raw {
    use crate::support::{ORG, Reference};

    pub struct Client;

    impl Client {
        fn request(
            &self,
            reference: &Reference,
            method: &str,
            path: &str,
            token: &str,
        ) -> (u16, String) {
            let body = if method == "POST" {
                "{\"data\":{\"type\":\"authentication-token\"}}"
            } else {
                ""
            };
            self.send(reference, method, path, token, body)
        }

        fn send(
            &self,
            reference: &Reference,
            method: &str,
            path: &str,
            token: &str,
            body: &str,
        ) -> (u16, String) {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(reference.handle.addr).expect("connect");
            write!(
                stream,
                "{method} /api/v2{path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/vnd.api+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .expect("write");
            let mut response = String::new();
            stream.read_to_string(&mut response).expect("read");
            let status = response[9..12].parse().expect("status");
            let body = response
                .split_once("\r\n\r\n")
                .map(|(_, b)| b.to_string())
                .unwrap_or_default();
            (status, body)
        }

        pub fn create_org_token(&self, reference: &Reference) -> (String, String) {
            let path = format!("/organizations/{ORG}/authentication-token");
            let (status, body) = self.request(reference, "POST", &path, reference.token.expose());
            assert_eq!(status, 201, "{body}");
            let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
            (
                doc["data"]["id"].as_str().expect("id").to_string(),
                doc["data"]["attributes"]["token"]
                    .as_str()
                    .expect("secret")
                    .to_string(),
            )
        }

        /// An agent pool of the account's (not the run's), with one token; their ids.
        pub fn create_agent_pool(&self, reference: &Reference, name: &str) -> (String, String) {
            let owner = reference.token.expose();
            let body =
                format!(r#"{{"data":{{"type":"agent-pools","attributes":{{"name":"{name}"}}}}}}"#);
            let path = format!("/organizations/{ORG}/agent-pools");
            let (status, body) = self.send(reference, "POST", &path, owner, &body);
            assert_eq!(status, 201, "{body}");
            let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
            let pool = doc["data"]["id"].as_str().expect("id").to_string();
            let body =
                r#"{"data":{"type":"authentication-tokens","attributes":{"description":"prod"}}}"#;
            let path = format!("/agent-pools/{pool}/authentication-tokens");
            let (status, body) = self.send(reference, "POST", &path, owner, body);
            assert_eq!(status, 201, "{body}");
            let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
            (pool, doc["data"]["id"].as_str().expect("id").to_string())
        }

        pub fn organization_status(&self, reference: &Reference, secret: &str) -> u16 {
            self.request(reference, "GET", &format!("/organizations/{ORG}"), secret)
                .0
        }
    }
}

#[test]
fn a_second_ctrl_c_drains_what_was_written_and_exits_130() {
    let token = runner::random_token();
    let mut config = server::Config::new(ORG, token.expose(), server::Profile::Tfe);
    // Slow enough that the run is under way for both interrupts; every answer echoes the
    // caller's token, so that what is drained has something to redact.
    config.modes.delay = Duration::from_millis(50);
    config.modes.echo_encoded = true;
    let handle = server::spawn(config).expect("server");
    let mut child = bin()
        .args(["run", "--address", &handle.url(), "--organization", ORG])
        .env("TFE_TOKEN", token.expose())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let interrupt = |pid: u32| {
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    };
    // Standard output is read as it comes, so that nothing waits on a full pipe.
    let stdout = child.stdout.take().expect("stdout");
    let reading = std::thread::spawn(move || {
        let mut all = String::new();
        let _ = std::io::Read::read_to_string(&mut { stdout }, &mut all);
        all
    });
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr);
    let started = Instant::now();
    while handle.inventory().teams.len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run made nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    interrupt(child.id());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut lines, &mut line).expect("stderr");
        assert!(n > 0, "stderr ended before the interrupt was told: {seen}");
        seen.push_str(&line);
        if line.contains("interrupted") {
            break;
        }
    }
    interrupt(child.id());
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut lines, &mut rest);
    seen.push_str(&rest);
    let status = child.wait().expect("exits");
    let stdout = reading.join().expect("stdout read");
    // The cleanup may have ended the run before the second interrupt came: then it exits
    // 130 as well, having deleted what it made.
    assert_eq!(status.code(), Some(130), "{seen}");
    if seen.contains("stopped without deleting") {
        assert!(seen.contains("the run's tag \"-"), "{seen}");
    }
    assert!(stdout.contains("running "), "{stdout}");
    assert!(!stdout.contains(token.expose()), "{stdout}");
    for form in tfe_contract::server::encoded_forms(token.expose()) {
        assert!(!stdout.contains(&form), "{stdout}");
    }
}

#[test]
fn when_the_set_up_token_is_refused_the_users_token_does_its_work_and_nothing_is_left() {
    // A server that lets only users make and delete teams and agent pools refuses the run's
    // set-up token (a token of the owners team) each time: the user's token asks again, the
    // trials pass, and the cleanup, its deletions refused too, leaves nothing behind.
    let modes = server::Modes {
        fixtures_by_users_only: true,
        ..server::Modes::default()
    };
    let reference = Reference::start_with(server::Profile::Tfe, &[], &[], modes);
    let before = reference.handle.inventory();
    let report = app::run(config(&reference, Profile::Tfe)).expect("runs");
    assert!(failed(&report).is_empty(), "{:?}", failed(&report));
    let exchanges: Vec<_> = report
        .trials
        .iter()
        .flat_map(|t| t.exchanges.iter().chain(&t.released))
        .chain(&report.housekeeping)
        .collect();
    // Refused, then asked again and done, for each kind of work the set-up token is given.
    for operation in [
        "createTeam",
        "createAgentPool",
        "deleteTeam",
        "deleteAgentPool",
    ] {
        let refused = exchanges
            .iter()
            .filter(|e| e.operation == operation && e.status() == Some(404))
            .count();
        let done = exchanges
            .iter()
            .filter(|e| e.operation == operation && e.status().is_some_and(|s| s < 300))
            .count();
        assert!(
            refused > 0 && done >= refused,
            "{operation}: {refused} refused, {done} done"
        );
    }
    // The cleanup itself deleted everything: the sweep by the run's tag found nothing left.
    let swept: Vec<_> = exchanges
        .iter()
        .filter(|e| e.step == tfe_contract::suite::SWEEP && e.request.method == "DELETE")
        .map(|e| &e.request.path)
        .collect();
    assert!(
        swept.is_empty(),
        "the sweep had to delete {} things, first {:?}",
        swept.len(),
        swept.first()
    );
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
    assert_eq!(reference.handle.inventory(), before, "left behind");
}

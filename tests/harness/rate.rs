//! Real targets limit each user's requests (TFE: 30 a second, 429 past it, ref §6). The
//! harness keeps below the limit the target announces, or `--max-rate`; a 429 is waited out
//! for as long as the run has time; only a server that never stops saying "wait" fails for it.
//! Rates here are higher than TFE's so that the tests stay short; the benchmark runs at 30/s.

use std::time::Duration;

use tfe_contract::{
    app,
    config::{Profile, RunConfig, TargetSpec},
    record::RunReport,
    runner,
    server::{self, Fault, Modes},
};

use crate::support::{ORG, failed, scratch};

fn run_against(
    faults: &[Fault],
    modes: Modes,
    filter: Option<&str>,
    tweak: impl FnOnce(&mut RunConfig),
) -> RunReport {
    let token = runner::random_token();
    let mut config = server::Config::new(ORG, token.expose(), server::Profile::Tfe);
    config.faults = faults.to_vec();
    config.modes = modes;
    let handle = server::spawn(config).expect("server");
    let mut run = RunConfig::new(TargetSpec::Remote {
        address: handle.url(),
        token: Some(token),
        organization: Some(ORG.into()),
    });
    run.profile = Profile::Tfe;
    run.libtest.filter = filter.map(str::to_string);
    run.libtest.logfile = Some(scratch("libtest.log").display().to_string());
    run.quiet = true;
    tweak(&mut run);
    app::run(run).expect("the run starts")
}

fn requests(report: &RunReport) -> u64 {
    report
        .trials
        .iter()
        .flat_map(|t| t.exchanges.iter().chain(&t.released))
        .chain(&report.tour)
        .chain(&report.housekeeping)
        .map(|e| 1 + u64::from(e.retries))
        .sum()
}

#[test]
fn a_server_holding_a_rate_limit_passes_with_hardly_a_429() {
    let limited = Modes {
        rate_limit: Some(200.0),
        ..Modes::default()
    };
    let report = run_against(&[], limited, None, |_| {});
    assert!(failed(&report).is_empty(), "{:?}", failed(&report));
    assert_eq!(report.rate.announced, Some(200.0));
    assert_eq!(report.rate.paced_at, Some(200.0 * 0.95));
    assert!(report.rate.paced_wait > Duration::ZERO, "{:?}", report.rate);
    let sent = requests(&report);
    assert!(
        report.rate.too_many_requests * 50 <= sent,
        "{} of {sent} requests answered 429",
        report.rate.too_many_requests
    );
}

#[test]
fn under_a_rate_limit_a_faulty_server_fails_only_where_it_is_faulty() {
    let limited = Modes {
        rate_limit: Some(100.0),
        ..Modes::default()
    };
    let report = run_against(
        &[Fault::RotationKeepsOldToken],
        limited,
        Some("org_token::"),
        |_| {},
    );
    assert_eq!(
        failed(&report).into_iter().collect::<Vec<_>>(),
        ["org_token::create_replaces_previous"]
    );
}

#[test]
fn a_server_that_never_stops_saying_wait_fails_when_the_deadline_comes() {
    let always = Modes {
        rate_limit_every: Some(1),
        ..Modes::default()
    };
    let report = run_against(
        &[],
        always,
        Some("org_token::new_secret_authenticates"),
        |c| {
            c.deadline = Duration::from_secs(3);
        },
    );
    assert_eq!(report.exit_code(), 101);
    let trial = report
        .trial("org_token::new_secret_authenticates")
        .expect("ran");
    let finding = trial
        .findings
        .iter()
        .find(|f| f.rule == "rate-limit")
        .unwrap_or_else(|| panic!("{:?}", trial.findings));
    assert!(finding.actual.contains("deadline"), "{}", finding.actual);
    assert!(report.rate.too_many_requests >= 2, "{:?}", report.rate);
}

#[test]
fn max_rate_paces_a_target_that_announces_no_limit() {
    let report = run_against(&[], Modes::default(), Some("org_token::"), |c| {
        c.max_rate = Some(40.0);
    });
    assert!(failed(&report).is_empty(), "{:?}", failed(&report));
    assert_eq!(report.rate.paced_at, Some(40.0));
    assert_eq!(report.rate.announced, None);
    assert!(report.rate.paced_wait > Duration::ZERO, "{:?}", report.rate);
}

/// One HTTP/1.1 exchange on a connection of its own: the status and the body.
fn exchange(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    auth: &str,
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\n\
         Content-Type: application/vnd.api+json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer:.200}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

#[test]
fn the_reference_servers_limit_counts_a_users_tokens_together() {
    // ref §6: "30 requests per second per user". Once the user's token has drained the
    // bucket, another user token of the same user is told to wait too; a credential of
    // no user is not.
    let token = runner::random_token();
    let mut config = server::Config::new(ORG, token.expose(), server::Profile::Tfe);
    config.modes.rate_limit = Some(2.0);
    let handle = server::spawn(config).expect("server");
    let owner = format!("Bearer {}", token.expose());
    let (status, details) = exchange(handle.addr, "GET", "/api/v2/account/details", &owner, "");
    assert_eq!(status, 200, "{details}");
    let details: serde_json::Value = serde_json::from_str(&details).expect("json");
    let user = details["data"]["id"].as_str().expect("user id");
    let (status, created) = exchange(
        handle.addr,
        "POST",
        &format!("/api/v2/users/{user}/authentication-tokens"),
        &owner,
        r#"{"data":{"type":"authentication-tokens","attributes":{"description":"second"}}}"#,
    );
    assert_eq!(status, 201, "{created}");
    let created: serde_json::Value = serde_json::from_str(&created).expect("json");
    let second = format!(
        "Bearer {}",
        created["data"]["attributes"]["token"]
            .as_str()
            .expect("a secret")
    );
    // Drain what is left of the user's bucket with the user's token.
    let mut drained = false;
    for _ in 0..10 {
        if exchange(handle.addr, "GET", "/api/v2/account/details", &owner, "").0 == 429 {
            drained = true;
            break;
        }
    }
    assert!(drained, "the user's token was never told to wait");
    let (status, _) = exchange(handle.addr, "GET", "/api/v2/account/details", &second, "");
    assert_eq!(
        status, 429,
        "the user's other token has a bucket of its own"
    );
    let (status, _) = exchange(
        handle.addr,
        "GET",
        "/api/v2/account/details",
        "Bearer nobody",
        "",
    );
    assert_eq!(
        status, 401,
        "a credential of no user shares the user's bucket"
    );
}

#[test]
fn no_credential_of_a_tfe_run_sends_half_of_what_the_users_token_once_did() {
    // Issue 22: the user's token sent 974 of a `tfe` run's 1,170 requests, so that a server
    // limiting each credential to TFE's 30 a second held the run to 33 s. The run's work is
    // now spread over credentials that may do it (set-up tokens, the team manager, the
    // agent-token explorer): none sends more than half of that, and the counts the summary
    // prints add up to every request the run sent.
    let report = run_against(&[], Modes::default(), None, |_| {});
    assert!(failed(&report).is_empty(), "{:?}", failed(&report));
    let per = &report.rate.per_credential;
    assert!(
        per.windows(2).all(|w| w[0] >= w[1]),
        "busiest first: {per:?}"
    );
    assert_eq!(per.iter().sum::<u64>(), requests(&report));
    assert!(
        per[0] <= 487,
        "the busiest credential sent {}: {per:?}",
        per[0]
    );
    assert!(
        report.rate.yours <= 487,
        "your token sent {}",
        report.rate.yours
    );
    // Four credentials share the load: yours, two set-up tokens, the team manager.
    assert!(per.iter().filter(|n| **n >= 100).count() >= 4, "{per:?}");
}

//! What costs no network: the checks and the snapshot normalization over recorded exchanges,
//! schema validation, and the binary's start.

use std::{
    io::Read,
    net::TcpListener,
    process,
    time::{Duration, Instant},
};

use tfe_contract::{
    checks::{jsonapi, schema},
    exchange::Exchange,
    record::RunReport,
    snapshot,
    spec::Spec,
};

use crate::ORG;

/// Every check the harness applies to every exchange (the whole-run rules and the schema), and
/// the snapshot normalization of each trial, over the recorded exchanges: µs per exchange.
pub(crate) fn offline_checks(report: &RunReport, all: &[&Exchange], quick: bool) -> (f64, usize) {
    let spec = Spec::get();
    let budget = Duration::from_millis(if quick { 50 } else { 1000 });
    let started = Instant::now();
    let mut checked = 0usize;
    let mut findings = 0usize;
    while started.elapsed() < budget {
        for ex in all {
            findings += jsonapi::media_type(ex).into_iter().count()
                + jsonapi::data_xor_errors(ex).into_iter().count()
                + jsonapi::error_status_matches(ex).len()
                + jsonapi::timestamps_utc(ex).len()
                + schema::status_documented(spec, ex).into_iter().count()
                + schema::body_matches(spec, ex).len();
        }
        for t in &report.trials {
            if !t.exchanges.is_empty() {
                findings += snapshot::render(ORG, &[], &t.exchanges).len() & 1;
            }
        }
        checked += all.len();
    }
    std::hint::black_box(findings);
    (
        started.elapsed().as_secs_f64() * 1e6 / checked as f64,
        checked,
    )
}

/// Validations of a created token's document per second, on this thread.
pub(crate) fn schema_validation(all: &[&Exchange], quick: bool) -> f64 {
    let spec = Spec::get();
    let doc = all
        .iter()
        .find(|e| e.operation == "createOrganizationToken" && e.status() == Some(201))
        .and_then(|e| e.json())
        .expect("a created token in the run");
    let budget = Duration::from_millis(if quick { 50 } else { 1000 });
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < budget {
        for _ in 0..1000 {
            assert!(spec.validate("AuthenticationTokenDocument", doc).is_empty());
        }
        n += 1000;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// From spawning `tfe-contract run --address ...` to its first request reaching the server.
/// The whole process of the README's first command, `tfe-contract run --profile hcp` against
/// the embedded reference server, exploring with `budget` (0: not at all): start to exit.
pub(crate) fn whole_process(budget: u32) -> Duration {
    let started = Instant::now();
    let status = process::Command::new(env!("CARGO_BIN_EXE_tfe-contract"))
        .args([
            "run",
            "--profile",
            "hcp",
            "--explore-budget",
            &budget.to_string(),
            "--seed",
            &super::runs::SEED.to_string(),
        ])
        .stdout(process::Stdio::null())
        .stderr(process::Stdio::null())
        .status()
        .expect("the binary runs");
    let elapsed = started.elapsed();
    assert!(status.success(), "the embedded run passes: {status}");
    elapsed
}

pub(crate) fn start_to_first_request() -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let started = Instant::now();
    let mut child = process::Command::new(env!("CARGO_BIN_EXE_tfe-contract"))
        .args([
            "run",
            "--address",
            &address,
            "--token",
            "benchmark-token",
            "--organization",
            ORG,
        ])
        .stdout(process::Stdio::null())
        .stderr(process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let (mut stream, _) = listener.accept().expect("a request");
    let mut first = [0u8; 1];
    let _ = stream.read(&mut first);
    let elapsed = started.elapsed();
    drop(stream);
    drop(listener);
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

/// The final redaction pass's cost with `secrets` minted secrets known: the secrets are
/// registered (shaped like TFE's, 90 characters), then the lines of a run's standard output
/// are redacted once, as the pass does when they leave, and once more with the matcher
/// built. The first time includes working out every secret's forms and building the matcher.
/// Run last: the registry is the process's, and the secrets are forgotten again after.
pub(crate) fn redaction(secrets: usize, lines: &[String]) -> (Duration, Duration) {
    use rand::{Rng, distr::Alphanumeric};
    let made: Vec<String> = (0..secrets)
        .map(|_| {
            let part = |n| {
                rand::rng()
                    .sample_iter(Alphanumeric)
                    .take(n)
                    .map(char::from)
                    .collect::<String>()
            };
            format!("{}.atlasv1.{}", part(14), part(67))
        })
        .collect();
    for secret in &made {
        tfe_contract::redact::register(secret);
    }
    let pass = || {
        let started = Instant::now();
        let mut kept = 0usize;
        for line in lines {
            kept += tfe_contract::redact::text(line).len();
        }
        std::hint::black_box(kept);
        started.elapsed()
    };
    let first = pass();
    let again = pass();
    tfe_contract::redact::forget(&made);
    (first, again)
}

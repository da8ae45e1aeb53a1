//! Hostile and flaky targets: rate limits are waited out, stalls and resets become failed
//! trials naming the exchange within the deadline, garbage becomes a failed check with a short
//! redacted excerpt, TLS is verified unless the user says otherwise, and a redirect never
//! carries the token to another host. Never a panic, never a hang.

use std::{
    io::Read,
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use tfe_contract::{
    app,
    config::{Profile, RunConfig, TargetSpec},
    record::{RunReport, TrialOutcome},
    runner,
    server::{self, Garbage, Modes},
};

use crate::support::{ORG, bin, scratch};

struct Target {
    handle: server::Handle,
    token: tfe_contract::redact::Secret,
}

fn start(modes: Modes) -> Target {
    let token = runner::random_token();
    let mut config = server::Config::new(ORG, token.expose(), server::Profile::Tfe);
    config.modes = modes;
    Target {
        handle: server::spawn(config).expect("server"),
        token,
    }
}

fn run(target: &Target, filter: Option<&str>, tweak: impl FnOnce(&mut RunConfig)) -> RunReport {
    let mut config = RunConfig::new(TargetSpec::Remote {
        address: target.handle.url(),
        token: Some(target.token.clone()),
        organization: Some(ORG.into()),
    });
    config.profile = Profile::Tfe;
    config.libtest.filter = filter.map(str::to_string);
    config.libtest.logfile = Some(scratch("libtest.log").display().to_string());
    config.quiet = true;
    tweak(&mut config);
    app::run(config).expect("the run starts")
}

fn messages(report: &RunReport) -> Vec<String> {
    report
        .trials
        .iter()
        .filter_map(|t| t.message.clone())
        .collect()
}

#[test]
fn a_rate_limited_server_passes_and_the_retries_are_counted() {
    let target = start(Modes {
        rate_limit_every: Some(4),
        ..Modes::default()
    });
    let report = run(&target, Some("org_token::"), |_| {});
    assert_eq!(report.exit_code(), 0, "{:#?}", messages(&report));
    assert!(
        report.retries() >= 10,
        "retries counted: {}",
        report.retries()
    );
}

#[test]
fn a_stalled_server_ends_within_the_deadline_with_failed_trials() {
    let target = start(Modes {
        stall_after: Some(3),
        ..Modes::default()
    });
    let started = Instant::now();
    let report = run(&target, Some("org_token::"), |c| {
        c.timeout = Duration::from_secs(30);
        c.deadline = Duration::from_secs(2);
    });
    let elapsed = started.elapsed();
    assert_eq!(report.exit_code(), 101);
    assert!(report.deadline_passed);
    // Cleanup included, the run ends by its deadline, not after the 30 s request timeout.
    // (Generous slack: the machine may be busy; the benchmark measures time, not this test.)
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    let all = messages(&report).join("\n");
    assert!(
        all.contains("deadline") && all.contains("POST /api/v2/organizations/"),
        "{all}"
    );

    // A per-request timeout shorter than the deadline fails each exchange on its own. (The
    // probe makes two requests; the trial's first is the third.)
    let target = start(Modes {
        stall_after: Some(2),
        ..Modes::default()
    });
    let report = run(&target, Some("org_token::create_returns"), |c| {
        c.timeout = Duration::from_millis(300);
    });
    let all = messages(&report).join("\n");
    assert_eq!(report.exit_code(), 101);
    assert!(
        all.contains("timed out") && all.contains("\"create\""),
        "{all}"
    );
}

#[test]
fn a_reset_connection_is_a_failed_trial_naming_the_exchange() {
    let target = start(Modes {
        reset_after: Some(2),
        ..Modes::default()
    });
    let report = run(&target, Some("org_token::"), |_| {});
    assert_eq!(report.exit_code(), 101);
    let all = messages(&report).join("\n");
    assert!(
        all.contains("no response") && all.contains("POST /api/v2/organizations/"),
        "{all}"
    );
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn garbage_is_a_failed_check_with_a_short_excerpt_and_no_panic() {
    for kind in Garbage::ALL {
        let target = start(Modes {
            garbage: Some(kind),
            ..Modes::default()
        });
        let report = run(&target, None, |_| {});
        assert_eq!(report.exit_code(), 101, "{kind}");
        let all = messages(&report);
        assert!(!all.is_empty(), "{kind}");
        for message in &all {
            assert!(!message.contains("panicked"), "{kind}: {message}");
            assert!(
                !message.contains(".atlasv1."),
                "{kind}: a secret in {message}"
            );
            // A reproduction's lines are the harness's own requests, whole, not excerpts.
            let mut reproduction = false;
            for line in message.lines() {
                reproduction =
                    line.starts_with("  reproduce (") || (reproduction && line.starts_with("    "));
                if !reproduction {
                    assert!(line.len() < 600, "{kind}: an excerpt too long: {line}");
                }
            }
        }
        let expected = match kind {
            Garbage::WrongMediaType => "jsonapi::media_type",
            Garbage::Oversized => "org_token::create_returns_token_document",
            // A 502 is no status the spec documents.
            Garbage::HtmlProxyPage => "schema::status_documented",
            _ => "schema::body_matches_schema",
        };
        let trial = report.trial(expected).expect("listed");
        assert_eq!(trial.outcome, TrialOutcome::Failed, "{kind}: {expected}");
    }
}

fn certificate() -> (String, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("self-signed certificate");
    (cert.cert.pem(), cert.signing_key.serialize_pem())
}

#[test]
fn tls_is_verified_unless_the_user_says_otherwise() {
    let (cert, key) = certificate();
    let target = start(Modes {
        tls: Some(server::Tls {
            cert_pem: cert.clone().into_bytes(),
            key_pem: key.into_bytes(),
        }),
        ..Modes::default()
    });
    let url = target.handle.url();
    assert!(url.starts_with("https://"));
    let base = [
        "run",
        "--address",
        url.as_str(),
        "--organization",
        ORG,
        "--exact",
        "auth::missing_token_unauthorized",
    ];

    // Unknown CA: a configuration error saying what to do.
    let out = bin()
        .args(base)
        .env("TFE_TOKEN", target.token.expose())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--ca-cert"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    // Its CA given: verified, passes.
    let ca = scratch("ca.pem");
    std::fs::write(&ca, &cert).unwrap();
    let out = bin()
        .args(base)
        .args(["--ca-cert", ca.to_str().unwrap()])
        .env("TFE_TOKEN", target.token.expose())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Verification off: passes, with a warning.
    let out = bin()
        .args(base)
        .arg("--insecure")
        .env("TFE_TOKEN", target.token.expose())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: TLS certificates are not verified"),
        "{stderr}"
    );
}

#[test]
fn a_redirect_never_takes_the_token_to_another_host() {
    // Another origin that records whatever reaches it.
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", elsewhere.local_addr().unwrap());
    let reached = Arc::new(AtomicUsize::new(0));
    let saw_token = Arc::new(AtomicUsize::new(0));
    {
        let (reached, saw_token) = (reached.clone(), saw_token.clone());
        elsewhere.set_nonblocking(false).unwrap();
        std::thread::spawn(move || {
            for stream in elsewhere.incoming().flatten() {
                reached.fetch_add(1, Ordering::SeqCst);
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                if String::from_utf8_lossy(&buf[..n])
                    .to_ascii_lowercase()
                    .contains("authorization")
                {
                    saw_token.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
    }
    let target = start(Modes {
        redirect_to: Some(origin),
        ..Modes::default()
    });
    let report = run(&target, Some("org_token::read_returns"), |_| {});
    assert_eq!(report.exit_code(), 101, "a redirect is not an answer");
    assert_eq!(
        saw_token.load(Ordering::SeqCst),
        0,
        "the token went to another host"
    );
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect to another origin was followed"
    );
    let all = messages(&report).join("\n");
    assert!(all.contains("307"), "{all}");
}

#[test]
fn against_a_server_that_answers_nothing_no_trial_passes() {
    // The probe (ping, then the organization) is answered; nothing after it.
    let target = start(Modes {
        stall_after: Some(2),
        ..Modes::default()
    });
    let report = run(&target, None, |c| {
        c.timeout = Duration::from_secs(30);
        c.deadline = Duration::from_secs(3);
    });
    assert_eq!(report.exit_code(), 101);
    let passed: Vec<&str> = report
        .trials
        .iter()
        .filter(|t| t.outcome == TrialOutcome::Passed)
        .map(|t| t.name.as_str())
        .collect();
    assert!(passed.is_empty(), "passed with no answer: {passed:?}");
}

#[test]
fn bodies_near_the_cap_do_not_pile_up_in_memory() {
    // Every answer is padded to just under the 4 MiB cap. The checks read each whole (and
    // pass: padding is still JSON); a recorded exchange keeps 64 KiB of it, and nothing keeps
    // the connection's read buffers alive.
    let token = format!("NearCapCanary1.{}.{}", "atlasv1", "nearcap".repeat(10));
    let served = crate::support::Served::start(&token, &["--near-cap-bodies"]);
    let report = scratch("near-cap.json");
    let mut child = bin()
        .args(["run", "--address", &served.address])
        .args(["--organization", crate::support::ORG])
        .args(["--report-json", report.to_str().unwrap(), "team_token::"])
        .env("TFE_TOKEN", &token)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    let peak = high_water_kib(&mut child);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    assert_eq!(doc["summary"]["failed"], 0, "near-cap JSON is still JSON");
    let received: u64 = doc["trials"]
        .as_array()
        .expect("trials")
        .iter()
        .flat_map(|t| t["exchanges"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["response"]["body-bytes"].as_u64())
        .sum();
    assert!(
        received > 300 * 1024 * 1024,
        "near-cap bodies were sent ({} MiB)",
        received >> 20
    );
    assert!(
        peak < 128 * 1024,
        "peak resident memory {} MiB for {} MiB of bodies",
        peak >> 10,
        received >> 20
    );
}

#[test]
fn when_the_final_sweep_cannot_list_the_run_names_what_may_be_left() {
    // Every answer garbled, none at all, or refused: the trials create teams and tokens the
    // harness may never learn of, and the sweep cannot list them.
    for (how, modes) in [
        (
            "garbled",
            Modes {
                garbage: Some(Garbage::NotJson),
                ..Modes::default()
            },
        ),
        (
            "unanswered",
            Modes {
                reset_after: Some(2),
                ..Modes::default()
            },
        ),
        (
            "refused",
            Modes {
                refuse_after: Some(2),
                ..Modes::default()
            },
        ),
    ] {
        let target = start(modes);
        let report = run(&target, Some("team_token::"), |_| {});
        assert_eq!(report.exit_code(), 101, "{how}");
        let unlisted = report.unlisted.as_ref().unwrap_or_else(|| panic!("{how}"));
        for kind in ["team", "team token", "user token", "agent pool"] {
            assert!(
                unlisted.kinds.iter().any(|k| k == kind),
                "{how}: {:?}",
                unlisted.kinds
            );
        }
        let line = unlisted.line();
        assert!(line.contains(&format!("-{}-", unlisted.tag)), "{line}");
        if how == "garbled" {
            // What the server holds carries that tag: the line says how to find it.
            let teams = target.handle.inventory().teams;
            assert!(
                teams
                    .iter()
                    .any(|t| t.contains(&format!("-{}-", unlisted.tag))),
                "{teams:?}"
            );
        }
    }
    // An organization without agents answers the agent-pool list 404: none can be there.
    let target = start(Modes {
        no_agents: true,
        ..Modes::default()
    });
    let report = run(&target, Some("team_token::create"), |_| {});
    assert_eq!(report.unlisted, None);

    // The binary says it in one line on stderr and in the JSON report, and fails the run.
    let token = format!("UnlistedCanary.{}.{}", "atlasv1", "unlisted".repeat(9));
    let served = crate::support::Served::start(&token, &["--garbage", "not-json"]);
    let json = scratch("unlisted.json");
    let out = bin()
        .args(["run", "--address", &served.address])
        .args([
            "--organization",
            ORG,
            "--exact",
            "team_token::create_returns_token_document",
        ])
        .args(["--report-json", json.to_str().unwrap()])
        .env("TFE_TOKEN", &token)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    let tag = doc["unlisted"]["tag"].as_str().expect("unlisted.tag");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("could not list"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains(&format!("-{tag}-")), "{}", lines[0]);
    assert!(lines[0].contains("team, "), "{}", lines[0]);
    assert_eq!(
        doc["unlisted"]["line"].as_str(),
        Some(&lines[0]["tfe-contract: ".len()..])
    );
}

/// The peak resident memory of a child process as the kernel counts it (`VmHWM`), read until
/// it exits (KiB).
fn high_water_kib(child: &mut std::process::Child) -> u64 {
    let mut peak = 0;
    loop {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        if let Some(kib) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if child.try_wait().expect("wait").is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn memory_stays_bounded_whatever_the_shape_of_the_bodies() {
    // Every JSON answer is filled to just under the cap with a value of one shape (a million
    // numbers, nesting as deep as the parser allows, many small objects, one long string),
    // and 64 trials are under way at once: parsed whole and kept, each would cost gigabytes.
    for shape in tfe_contract::server::Shape::ALL {
        let token = format!("BigBodyCanary1.{}.{}", "atlasv1", "bigbody".repeat(10));
        let served = crate::support::Served::start(&token, &["--big-bodies", shape.name()]);
        let report = scratch("big-bodies.json");
        let mut child = bin()
            .args(["run", "--address", &served.address])
            .args(["--organization", ORG, "--test-threads", "64"])
            .args(["--report-json", report.to_str().unwrap(), "team_token::"])
            .env("TFE_TOKEN", &token)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("runs");
        let peak = high_water_kib(&mut child);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
        assert_eq!(doc["summary"]["exit-code"], 0, "{shape}");
        assert_eq!(doc["leftovers"], serde_json::json!([]), "{shape}");
        assert!(doc["unlisted"].is_null(), "{shape}");
        let received: u64 = doc["trials"]
            .as_array()
            .expect("trials")
            .iter()
            .flat_map(|t| t["exchanges"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e["response"]["body-bytes"].as_u64())
            .sum();
        assert!(
            received > 200 * 1024 * 1024,
            "{shape}: near-cap bodies were sent ({} MiB)",
            received >> 20
        );
        assert!(
            peak < 512 * 1024,
            "{shape}: peak resident memory {} MiB for {} MiB of bodies",
            peak >> 10,
            received >> 20
        );
    }
}

//! Full runs of the suite, in process: one against a fresh reference server, one against a
//! rate-limited server, many in a row against one server (the soak), and where a run's time
//! goes.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use tfe_contract::{
    app,
    config::{Profile, RunConfig, TargetSpec},
    exchange::Exchange,
    record::RunReport,
    redact::Secret,
    server,
};

use crate::{ORG, median};

/// What the rate-limited run measured.
pub(crate) struct RateLimited {
    pub(crate) rate: f64,
    pub(crate) wall: Duration,
    pub(crate) floor: Duration,
    pub(crate) busiest: u64,
    pub(crate) requests: u64,
    pub(crate) too_many: u64,
    pub(crate) failed: usize,
}

/// The full suite against a server that holds each token to `rate` requests a second (TFE's
/// 30 in a real benchmark; `cargo test --benches` uses a quicker one) and answers after 2 ms.
/// The floor is what no client can beat: the busiest token's requests (retries included)
/// divided by the rate.
pub(crate) fn rate_limited(owner: &Secret, quick: bool) -> RateLimited {
    let rate = if quick { 300.0 } else { 30.0 };
    let mut config = server::Config::new(ORG, owner.expose(), server::Profile::Hcp);
    config.modes.rate_limit = Some(rate);
    config.modes.delay = Duration::from_millis(2);
    let handle = server::spawn(config).expect("reference server");
    let started = Instant::now();
    let report = app::run(quiet_hcp_run(&handle, owner)).expect("the run starts");
    let wall = started.elapsed();
    let mut per_token: HashMap<Vec<u8>, u64> = HashMap::new();
    let exchanges = report
        .trials
        .iter()
        .flat_map(|t| t.exchanges.iter().chain(&t.released))
        .chain(&report.tour)
        .chain(&report.housekeeping);
    for ex in exchanges {
        let key = ex
            .request
            .headers
            .get(http::header::AUTHORIZATION)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        *per_token.entry(key).or_default() += 1 + u64::from(ex.retries);
    }
    let busiest = per_token.values().copied().max().unwrap_or(0);
    RateLimited {
        rate,
        wall,
        floor: Duration::from_secs_f64(busiest as f64 / rate),
        busiest,
        requests: per_token.values().sum(),
        too_many: report.rate.too_many_requests,
        failed: report.failed().count(),
    }
}

/// What the soak measured.
pub(crate) struct Soak {
    pub(crate) runs: usize,
    pub(crate) first: Duration,
    pub(crate) last: Duration,
    /// Resident memory (KiB) after the first tenth of the runs, and at the end.
    pub(crate) rss_early: u64,
    pub(crate) rss_end: u64,
    pub(crate) failed: usize,
}

/// Many consecutive full runs against one server, as `serve` is used for hours.
pub(crate) fn soak(owner: &Secret, quick: bool) -> Soak {
    let runs = if quick { 10 } else { 300 };
    let tenth = (runs / 10).max(1);
    let handle = reference(owner);
    let mut times = Vec::with_capacity(runs);
    let mut rss_early = 0;
    let mut failed = 0;
    for i in 0..runs {
        let started = Instant::now();
        let report = app::run(quiet_hcp_run(&handle, owner)).expect("the run starts");
        times.push(started.elapsed());
        failed += report.failed().count();
        drop(report);
        if i + 1 == tenth {
            rss_early = resident_kib();
        }
    }
    let (mut first, mut last) = (times[..tenth].to_vec(), times[runs - tenth..].to_vec());
    Soak {
        runs,
        first: median(&mut first),
        last: median(&mut last),
        rss_early,
        rss_end: resident_kib(),
        failed,
    }
}

/// This process's resident memory, KiB (/proc).
pub(crate) fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A reference server whose ids and secrets come from a fixed seed: a replay of a run's
/// requests, in the same order, gets the same answers as the run did.
pub(crate) fn reference(token: &Secret) -> server::Handle {
    let mut config = server::Config::new(ORG, token.expose(), server::Profile::Hcp);
    config.seed = Some(0x7fe_c0de);
    server::spawn(config).expect("reference server")
}

/// A run of profile hcp against `handle`, printing nothing.
fn quiet_hcp_run(handle: &server::Handle, owner: &Secret) -> RunConfig {
    let mut config = RunConfig::new(TargetSpec::Remote {
        address: handle.url(),
        token: Some(owner.clone()),
        organization: Some(ORG.into()),
    });
    config.profile = Profile::Hcp;
    config.quiet = true;
    config.libtest.logfile = Some("/dev/null".into());
    config
}

/// The exploration's seed in the benchmark: the same cases every repetition.
pub(crate) const SEED: u64 = 1;

/// One full run, in process, against a fresh server.
pub(crate) fn run_suite(threads: usize, token: &Secret) -> (Duration, RunReport, Phases) {
    run_suite_exploring(threads, token, tfe_contract::config::DEFAULT_EXPLORE_BUDGET)
}

/// One full run, in process, against a fresh server, exploring with `budget` (0: not at all).
pub(crate) fn run_suite_exploring(
    threads: usize,
    token: &Secret,
    budget: u32,
) -> (Duration, RunReport, Phases) {
    let handle = reference(token);
    let mut config = quiet_hcp_run(&handle, token);
    config.explore_budget = budget;
    config.seed = Some(SEED);
    config.libtest.test_threads = Some(threads);
    config.timeout = Duration::from_secs(10);
    let started = Instant::now();
    let report = app::run(config).expect("the run starts");
    let elapsed = started.elapsed();
    let phases = Phases::of(&report, started, elapsed);
    (elapsed, report, phases)
}

/// Where a run's time went, from its exchanges' timestamps.
#[derive(Clone, Copy, Default)]
pub(crate) struct Phases {
    /// From the call to the first request.
    pub(crate) before_first: Duration,
    /// From the first request to the last answer of the trials (and the tour).
    pub(crate) trials: Duration,
    /// From there to the last answer of the run's own cleanup.
    pub(crate) cleanup: Duration,
    /// From the last answer to the return.
    pub(crate) after_last: Duration,
}

impl Phases {
    pub(crate) fn of(report: &RunReport, started: Instant, elapsed: Duration) -> Self {
        let end = |e: &Exchange| e.started + e.elapsed;
        let trials = report
            .trials
            .iter()
            .flat_map(|t| t.exchanges.iter().chain(&t.released))
            .chain(&report.tour);
        let all = || report.housekeeping.iter().chain(trials.clone());
        let (Some(first), Some(last), Some(trials_end)) = (
            all().map(|e| e.started).min(),
            all().map(end).max(),
            trials.clone().map(end).max(),
        ) else {
            return Self::default();
        };
        Self {
            before_first: first - started,
            trials: trials_end.saturating_duration_since(first),
            cleanup: last.saturating_duration_since(trials_end),
            after_last: (started + elapsed).saturating_duration_since(last),
        }
    }
}

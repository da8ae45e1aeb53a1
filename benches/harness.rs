//! `cargo bench`: what the harness costs beyond its own HTTP traffic, in one run, as ratios.
//!
//! 1. The full suite (profile hcp) against a fresh embedded reference server: wall time and
//!    number of exchanges.
//! 2. The same request sequences (trial by trial, with the same parallelism) replayed by a bare
//!    reqwest client that checks nothing, against another fresh server: the floor. Their ratio
//!    is the harness's overhead.
//! 3. The checks on the recorded exchanges without any network: JSON:API rules, schema,
//!    snapshot normalization, per exchange.
//! 4. Schema validation of one token document, on one core.
//! 5. Process start to first request, for the release binary.
//! 6. Where a run's time goes (phases), and the part that cannot overlap (the trials holding
//!    the organization token).
//!
//! 7. Rate-limited: the full suite against a reference server that holds each token to 30
//!    requests a second (`--rate-limit 30/s`, as TFE) and answers after 2 ms: wall time, the
//!    floor (the busiest token's requests divided by the rate), their ratio, and the 429s.
//! 8. Soak: many consecutive runs against one server, as a client developer's long session:
//!    per-run time of the last tenth against the first tenth, and resident memory.
//!
//! Medians over several repetitions; ratios within one run are what to compare, absolute
//! figures depend on the machine. `-- --threads N` changes --test-threads for both modes;
//! `-- --only harness|bare N` runs one mode N times and prints nothing (for a profiler).

use std::{
    collections::HashMap,
    io::Read,
    net::TcpListener,
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use futures::StreamExt;
use tfe_contract::{
    app,
    checks::{jsonapi, schema},
    config::{Profile, RunConfig, TargetSpec},
    exchange::Exchange,
    record::RunReport,
    redact::Secret,
    runner, server, snapshot,
    spec::Spec,
};

const ORG: &str = "bench-org";
const REPEATS: usize = 41;

fn main() {
    // `cargo test --benches` runs this with no `--bench`: then a single, quick pass.
    let quick = !std::env::args().any(|a| a == "--bench");
    let repeats = if quick { 1 } else { REPEATS };
    // `cargo bench --bench harness -- --threads N`: another --test-threads for both modes.
    let args: Vec<String> = std::env::args().collect();
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(runner::DEFAULT_TRIAL_THREADS);

    // `-- --only harness N` or `-- --only bare N`: that mode alone, N times, printing nothing
    // (to run under a profiler; the bare replay replays one harness run made first).
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let mode = args.get(i + 1).map(String::as_str).unwrap_or("harness");
        let n: usize = args.get(i + 2).and_then(|n| n.parse().ok()).unwrap_or(50);
        let owner = runner::random_token();
        let traffic = Traffic::of(&run_suite(threads, &owner).1);
        for _ in 0..n {
            match mode {
                "bare" => drop(replay(&traffic, threads, &owner)),
                _ => drop(run_suite(threads, &owner)),
            }
        }
        return;
    }

    let spec_started = Instant::now();
    Spec::get();
    let spec_ms = ms(spec_started.elapsed());

    let owner = runner::random_token();
    // Each repetition runs the harness and replays that run's own traffic right after, so
    // that whatever else the machine does weighs on both alike; the ratio is their quotient.
    let mut paired = Paired::default();
    let mut paired_1 = Paired::default();
    let mut last = None;
    let mut phases = Vec::new();
    for _ in 0..repeats {
        let before = cpu();
        let (elapsed, report, run_phases) = run_suite(threads, &owner);
        let between = cpu();
        let (floor, fidelity) = replay(&Traffic::of(&report), threads, &owner);
        paired.harness_cpu += between - before;
        paired.floor_cpu += cpu() - between;
        paired.push(elapsed, floor, fidelity);
        last = Some(report);
        phases.push(run_phases);
        // The same, one trial (one sequence) at a time: the overhead on each exchange,
        // without any scheduling in play.
        let before = cpu();
        let (elapsed, report_1, _) = run_suite(1, &owner);
        let between = cpu();
        let (floor, fidelity) = replay(&Traffic::of(&report_1), 1, &owner);
        paired_1.harness_cpu += between - before;
        paired_1.floor_cpu += cpu() - between;
        paired_1.push(elapsed, floor, fidelity);
    }
    let rate_limited = rate_limited(&owner, quick);
    let soak = soak(&owner, quick);
    let report = last.expect("ran");
    let traffic = Traffic::of(&report);
    let all: Vec<&Exchange> = traffic.all();
    let exchanges = all.len();
    let failed = report.failed().count();

    let (checks_per_exchange, checked) = offline_checks(&report, &all, quick);
    let docs_per_second = schema_validation(&all, quick);
    let mut first_request = Vec::new();
    for _ in 0..if quick { 1 } else { 10 } {
        first_request.push(start_to_first_request());
    }

    let per_exchange_us =
        all.iter().map(|e| e.elapsed.as_secs_f64()).sum::<f64>() * 1e6 / exchanges.max(1) as f64;
    println!("tfe-contract benchmark ({repeats} repetition(s), {threads} trial threads)");
    println!(
        "  full suite, profile hcp       {:8.1} ms  {} trials ({failed} failed), {exchanges} exchanges",
        paired.harness_ms(),
        report.trials.len()
    );
    println!(
        "  bare replay, same requests    {:8.1} ms  harness / bare = {:.2} (replay answered {} of {} as the run did)",
        paired.floor_ms(),
        paired.ratio(),
        paired.fidelity.0,
        paired.fidelity.1
    );
    println!(
        "  processor time, same runs     {:8.1} ms  bare {:.1} ms, harness / bare = {:.2} (server included)",
        ms(paired.harness_cpu) / repeats as f64,
        ms(paired.floor_cpu) / repeats as f64,
        paired.cpu_ratio()
    );
    println!(
        "  one trial at a time           {:8.1} ms  bare {:.1} ms, harness / bare = {:.2} (replay answered {} of {} as the run did)",
        paired_1.harness_ms(),
        paired_1.floor_ms(),
        paired_1.ratio(),
        paired_1.fidelity.0,
        paired_1.fidelity.1
    );
    println!(
        "  processor time, one at a time {:8.1} ms  bare {:.1} ms, harness / bare = {:.2}",
        ms(paired_1.harness_cpu) / repeats as f64,
        ms(paired_1.floor_cpu) / repeats as f64,
        paired_1.cpu_ratio()
    );
    println!(
        "  checks, no network            {checks_per_exchange:8.1} µs per exchange ({checked} checked), {:.1}% of a loopback exchange ({per_exchange_us:.0} µs)",
        100.0 * checks_per_exchange / per_exchange_us
    );
    println!("  token document validation     {docs_per_second:8.0} documents/s on one core");
    println!(
        "  process start to 1st request  {:8.1} ms",
        ms(median(&mut first_request))
    );
    println!("  spec load and schema compile  {spec_ms:8.1} ms (once per process)");
    let median_of = |field: fn(&Phases) -> Duration| {
        let mut values: Vec<Duration> = phases.iter().map(field).collect();
        ms(median(&mut values))
    };
    println!(
        "  phases of the full suite      {:8.1} ms to the first request, {:.1} ms trials, {:.1} ms final cleanup, {:.1} ms after the last answer",
        median_of(|p| p.before_first),
        median_of(|p| p.trials),
        median_of(|p| p.cleanup),
        median_of(|p| p.after_last)
    );
    println!(
        "  rate-limited suite, {:.0}/s     {:8.1} ms  floor {:.1} ms (busiest token: {} requests), wall / floor = {:.2}; {} of {} requests answered 429 ({:.2}%), {} failed trials",
        rate_limited.rate,
        ms(rate_limited.wall),
        ms(rate_limited.floor),
        rate_limited.busiest,
        rate_limited.wall.as_secs_f64() / rate_limited.floor.as_secs_f64().max(1e-9),
        rate_limited.too_many,
        rate_limited.requests,
        100.0 * rate_limited.too_many as f64 / rate_limited.requests.max(1) as f64,
        rate_limited.failed
    );
    println!(
        "  soak, {} runs on one server   {:8.1} ms per run in the first tenth, {:.1} ms in the last: last / first = {:.2}; resident memory {:.1} MiB after the first tenth, {:.1} MiB at the end (+{:.1} MiB), {} failed trials",
        soak.runs,
        ms(soak.first),
        ms(soak.last),
        soak.last.as_secs_f64() / soak.first.as_secs_f64().max(1e-9),
        soak.rss_early as f64 / 1024.0,
        soak.rss_end as f64 / 1024.0,
        (soak.rss_end as f64 - soak.rss_early as f64) / 1024.0,
        soak.failed
    );
    // The trials that hold the organization token run one after another: a floor of their own.
    let serial: Vec<_> = report.trials.iter().filter(|t| t.exclusive).collect();
    println!(
        "  serial part (last run)        {:8.1} ms  {} trials holding the organization token, {} exchanges",
        serial
            .iter()
            .filter_map(|t| {
                let (first, last) = (t.exchanges.first()?, t.exchanges.last()?);
                Some(ms(
                    (last.started + last.elapsed).duration_since(first.started)
                ))
            })
            .sum::<f64>(),
        serial.len(),
        serial.iter().map(|t| t.exchanges.len()).sum::<usize>()
    );
}

/// The process's processor time so far (user and system, threads that ended included), from
/// /proc: ticks of 10 ms, so only sums over many runs mean something.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Harness and floor timings of the same runs, paired.
#[derive(Default)]
struct Paired {
    harness: Vec<Duration>,
    floor: Vec<Duration>,
    ratios: Vec<f64>,
    fidelity: (usize, usize),
    harness_cpu: Duration,
    floor_cpu: Duration,
}

impl Paired {
    fn cpu_ratio(&self) -> f64 {
        self.harness_cpu.as_secs_f64() / self.floor_cpu.as_secs_f64().max(1e-9)
    }

    fn push(&mut self, harness: Duration, floor: Duration, fidelity: (usize, usize)) {
        self.ratios
            .push(harness.as_secs_f64() / floor.as_secs_f64());
        self.harness.push(harness);
        self.floor.push(floor);
        self.fidelity = fidelity;
    }

    fn harness_ms(&mut self) -> f64 {
        ms(median(&mut self.harness))
    }

    fn floor_ms(&mut self) -> f64 {
        ms(median(&mut self.floor))
    }

    fn ratio(&mut self) -> f64 {
        self.ratios.sort_by(f64::total_cmp);
        self.ratios[self.ratios.len() / 2]
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// What the rate-limited run measured.
struct RateLimited {
    rate: f64,
    wall: Duration,
    floor: Duration,
    busiest: u64,
    requests: u64,
    too_many: u64,
    failed: usize,
}

/// The full suite against a server that holds each token to `rate` requests a second (TFE's
/// 30 in a real benchmark; `cargo test --benches` uses a quicker one) and answers after 2 ms.
/// The floor is what no client can beat: the busiest token's requests (retries included)
/// divided by the rate.
fn rate_limited(owner: &Secret, quick: bool) -> RateLimited {
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
struct Soak {
    runs: usize,
    first: Duration,
    last: Duration,
    /// Resident memory (KiB) after the first tenth of the runs, and at the end.
    rss_early: u64,
    rss_end: u64,
    failed: usize,
}

/// Many consecutive full runs against one server, as `serve` is used for hours.
fn soak(owner: &Secret, quick: bool) -> Soak {
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
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A reference server whose ids and secrets come from a fixed seed: a replay of a run's
/// requests, in the same order, gets the same answers as the run did.
fn reference(token: &Secret) -> server::Handle {
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

/// One full run, in process, against a fresh server.
fn run_suite(threads: usize, token: &Secret) -> (Duration, RunReport, Phases) {
    let handle = reference(token);
    let mut config = quiet_hcp_run(&handle, token);
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
struct Phases {
    /// From the call to the first request.
    before_first: Duration,
    /// From the first request to the last answer of the trials (and the tour).
    trials: Duration,
    /// From there to the last answer of the run's own cleanup.
    cleanup: Duration,
    /// From the last answer to the return.
    after_last: Duration,
}

impl Phases {
    fn of(report: &RunReport, started: Instant, elapsed: Duration) -> Self {
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

/// The run's requests, grouped as they were sent: the probe, one sequence per trial (and the
/// tour), and the cleanup; each trial sequence marked when it had the organization token to
/// itself.
struct Traffic {
    probe: Vec<Exchange>,
    /// Held the organization token, its exchanges, then the deletions of what it created.
    trials: Vec<(bool, Vec<Exchange>, Vec<Exchange>)>,
    cleanup: Vec<Exchange>,
}

impl Traffic {
    fn of(report: &RunReport) -> Self {
        let (probe, cleanup): (Vec<Exchange>, Vec<Exchange>) = report
            .housekeeping
            .iter()
            .cloned()
            .partition(|e| e.step == "probe");
        let mut trials: Vec<(bool, Vec<Exchange>, Vec<Exchange>)> = report
            .trials
            .iter()
            .filter(|t| !t.exchanges.is_empty())
            .map(|t| (t.exclusive, t.exchanges.to_vec(), t.released.clone()))
            .collect();
        // The tour changes the organization token, under the same lock.
        trials.push((true, report.tour.clone(), Vec::new()));
        // In the order the harness started them.
        trials.sort_by_key(|(_, s, _)| s.first().map(|e| e.started));
        Self {
            probe,
            trials,
            cleanup,
        }
    }

    fn all(&self) -> Vec<&Exchange> {
        self.probe
            .iter()
            .chain(self.trials.iter().flat_map(|(_, s, r)| s.iter().chain(r)))
            .chain(&self.cleanup)
            .collect()
    }
}

/// The same requests, sent by a bare client that reads each answer and checks nothing: the
/// probe, then the trial sequences with as many in flight as the harness ran trials (those
/// that had the organization token to themselves one at a time, as in the harness: run side
/// by side they would race on the server's state), then the cleanup with the harness's
/// concurrency; to a fresh server with the same owner token. Like any client of this API, it
/// carries forward the ids and secrets the server hands out: a recorded id or secret in a
/// later request is replaced by the one this server minted in its place. One sequence at a
/// time it sends every request in the order the run did. Returns the time taken and how many
/// answers had the status the run got.
fn replay(traffic: &Traffic, threads: usize, owner: &Secret) -> (Duration, (usize, usize)) {
    let handle = reference(owner);
    // The same runtime shape as the harness's.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client {
        http: reqwest::Client::builder().build().expect("client"),
        base: handle.url().into(),
        minted: Arc::default(),
        same: Arc::default(),
    };
    let total = traffic.all().len();
    let started = Instant::now();
    if threads == 1 {
        let mut all: Vec<Exchange> = traffic.all().into_iter().cloned().collect();
        all.sort_by_key(|e| e.started);
        let client = client.clone();
        let work = runtime.spawn(async move {
            for ex in all {
                client.send(ex).await;
            }
        });
        let _ = runtime.block_on(work);
    } else {
        let (probe, trials, cleanup) = (
            traffic.probe.clone(),
            traffic.trials.clone(),
            traffic.cleanup.clone(),
        );
        let client = client.clone();
        let work = runtime.spawn(async move {
            for ex in probe {
                client.send(ex).await;
            }
            // In the order the trials ran (the queue is taken from its end).
            let mut order = trials.clone();
            order.reverse();
            let queue = Arc::new(std::sync::Mutex::new(order));
            let exclusive = Arc::new(tokio::sync::Mutex::new(()));
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (queue, exclusive, client) =
                        (queue.clone(), exclusive.clone(), client.clone());
                    tokio::spawn(async move {
                        loop {
                            let Some((alone, sequence, released)) = queue.lock().unwrap().pop()
                            else {
                                break;
                            };
                            let guard = if alone {
                                Some(exclusive.lock().await)
                            } else {
                                None
                            };
                            for ex in sequence {
                                client.send(ex).await;
                            }
                            // As in the harness: the lock goes, then the trial's deletions,
                            // several at once.
                            drop(guard);
                            let client = &client;
                            futures::stream::iter(released.into_iter().map(|ex| client.send(ex)))
                                .buffer_unordered(8)
                                .collect::<Vec<()>>()
                                .await;
                        }
                    })
                })
                .collect();
            for w in workers {
                let _ = w.await;
            }
            let client = &client;
            futures::stream::iter(cleanup.into_iter().map(|ex| client.send(ex)))
                .buffer_unordered(8)
                .collect::<Vec<()>>()
                .await;
        });
        let _ = runtime.block_on(work);
    }
    let same = client.same.load(std::sync::atomic::Ordering::Relaxed);
    (started.elapsed(), (same, total))
}

/// The bare client: sends recorded requests, reads each answer whole, checks nothing; maps the
/// ids and secrets of the recording to those this server mints.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    minted: Arc<std::sync::Mutex<HashMap<String, String>>>,
    same: Arc<std::sync::atomic::AtomicUsize>,
}

impl Client {
    fn carried(&self, value: &str) -> Option<String> {
        self.minted.lock().unwrap().get(value).cloned()
    }

    async fn send(&self, ex: Exchange) {
        let path: Vec<String> = ex
            .request
            .path
            .split('/')
            .map(|segment| self.carried(segment).unwrap_or_else(|| segment.to_string()))
            .collect();
        let mut headers = (*ex.request.headers).clone();
        if let Some(secret) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|v| self.carried(v))
            && let Ok(value) = http::HeaderValue::from_str(&format!("Bearer {secret}"))
        {
            headers.insert(http::header::AUTHORIZATION, value);
        }
        let mut request = self
            .http
            .request(
                ex.request.method.clone(),
                format!("{}{}", self.base, path.join("/")),
            )
            .headers(headers);
        if let Some(body) = &ex.request.body {
            let mut text = String::from_utf8_lossy(body).into_owned();
            if text.contains("\"id\"") {
                for (recorded, now) in self.minted.lock().unwrap().iter() {
                    text = text.replace(recorded.as_str(), now);
                }
            }
            request = request.body(text);
        }
        let Ok(response) = request.send().await else {
            return;
        };
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap_or_default();
        if ex.status() == Some(status) {
            self.same.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        // What this server minted in place of what the run's server did.
        if let (Some(recorded), Ok(now)) = (
            ex.json(),
            serde_json::from_slice::<serde_json::Value>(&body),
        ) {
            let mut minted = self.minted.lock().unwrap();
            for pointer in ["/data/id", "/data/attributes/token"] {
                if let (Some(a), Some(b)) = (
                    recorded.pointer(pointer).and_then(|v| v.as_str()),
                    now.pointer(pointer).and_then(|v| v.as_str()),
                ) && a != b
                {
                    minted.insert(a.to_string(), b.to_string());
                }
            }
        }
    }
}

/// Every check the harness applies to every exchange (the whole-run rules and the schema), and
/// the snapshot normalization of each trial, over the recorded exchanges: µs per exchange.
fn offline_checks(report: &RunReport, all: &[&Exchange], quick: bool) -> (f64, usize) {
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
fn schema_validation(all: &[&Exchange], quick: bool) -> f64 {
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
fn start_to_first_request() -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tfe-contract"))
        .args([
            "run",
            "--address",
            &address,
            "--token",
            "benchmark-token",
            "--organization",
            ORG,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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

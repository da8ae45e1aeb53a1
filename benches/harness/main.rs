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

mod offline;
mod replay;
mod runs;

use std::time::{Duration, Instant};

use tfe_contract::{exchange::Exchange, runner, spec::Spec};

use offline::{offline_checks, schema_validation, start_to_first_request, whole_process};
use replay::{Traffic, replay};
use runs::{Phases, rate_limited, run_suite, run_suite_exploring, soak};

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
    let mut unexplored = Vec::new();
    for _ in 0..repeats {
        unexplored.push(run_suite_exploring(threads, &owner, 0).0);
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
    let (mut process_explored, mut process_unexplored) = (Vec::new(), Vec::new());
    for _ in 0..if quick { 1 } else { 15 } {
        process_explored.push(whole_process(tfe_contract::config::DEFAULT_EXPLORE_BUDGET));
        process_unexplored.push(whole_process(0));
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
        "{} (server included)",
        paired.cpu_line("same runs", repeats)
    );
    println!(
        "  one trial at a time           {:8.1} ms  bare {:.1} ms, harness / bare = {:.2} (replay answered {} of {} as the run did)",
        paired_1.harness_ms(),
        paired_1.floor_ms(),
        paired_1.ratio(),
        paired_1.fidelity.0,
        paired_1.fidelity.1
    );
    println!("{}", paired_1.cpu_line("one at a time", repeats));
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
    let in_process = paired.harness_ms();
    let unexplored_ms = ms(median(&mut unexplored));
    let (explored_process, unexplored_process) = (
        ms(median(&mut process_explored)),
        ms(median(&mut process_unexplored)),
    );
    println!(
        "  whole process, embedded run   {explored_process:8.1} ms  in process {in_process:.1} ms, whole / in process = {:.2} (tfe-contract run --profile hcp, release)",
        explored_process / in_process.max(1e-9)
    );
    println!(
        "  exploration                   {in_process:8.1} ms with it, {unexplored_ms:.1} ms without (--explore-budget 0): with / without = {:.2}; whole process {explored_process:.1} / {unexplored_process:.1} ms = {:.2}",
        in_process / unexplored_ms.max(1e-9),
        explored_process / unexplored_process.max(1e-9)
    );
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
    // The final redaction pass, with as many minted secrets as a run mints and ten times
    // that, over the lines a run prints: last, as it fills the process's registry.
    let lines: Vec<String> = report
        .trials
        .iter()
        .flat_map(|t| {
            std::iter::once(format!("test {} ... ok", t.name)).chain(
                t.exchanges
                    .iter()
                    .map(|e| format!("  {} {} {:?}", e.request.method, e.request.path, e.status())),
            )
        })
        .collect();
    for secrets in [600, 6_000] {
        let (first, again) = offline::redaction(secrets, &lines);
        println!(
            "  final redaction, {secrets:>5} secrets {:8.1} ms over {} lines, forms worked out and matcher built; {:.1} ms again",
            ms(first),
            lines.len(),
            ms(again)
        );
    }
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

    /// The line of processor time per run, harness and floor, over `repeats` runs.
    fn cpu_line(&self, which: &str, repeats: usize) -> String {
        format!(
            "  {:<29} {:8.1} ms  bare {:.1} ms, harness / bare = {:.2}",
            format!("processor time, {which}"),
            ms(self.harness_cpu) / repeats as f64,
            ms(self.floor_cpu) / repeats as f64,
            self.cpu_ratio()
        )
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

//! The entry points: `run`, which conducts the whole run from the target to the reports, and
//! `--list`.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use libtest_mimic::Trial;

use crate::{
    client::{Halt, Transport, TransportOptions},
    config::{Address, BaselineConfig, ConfigError, RunConfig, TargetSpec},
    exchange::Exchange,
    pacing::{Pace, Pacer},
    record::{BaselineReview, Minted, RateSummary, RunReport, TrialOutcome, TrialRecord},
    suite::{self, CheckDef, RunContext},
};

use super::{
    panics::{IN_TRIAL, install_panic_hook},
    schedule::{execution_order, schedule, skip_reason, trial, watch_interrupts},
    target::{probe, resolve_target},
};

/// How many trials run at once unless --test-threads says otherwise.
pub const DEFAULT_TRIAL_THREADS: usize = 8;

/// How long the cleanup may take, whatever the target does.
const CLEANUP_BUDGET: Duration = Duration::from_secs(60);
/// The part of the run's deadline kept for the cleanup (at most a quarter of it).
const CLEANUP_RESERVE: Duration = Duration::from_secs(5);

/// Runs the suite as `config` says and returns the run's records; the reports are rendered
/// from them afterwards (`crate::app`). `Err` means the harness could not run (exit 2).
pub fn run(config: RunConfig) -> Result<RunReport, ConfigError> {
    install_panic_hook();
    let checks = suite::all();
    if config.libtest.list {
        return Ok(list(&config, checks));
    }

    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            // One worker: the trials wait on the network, and with their connections on the
            // same thread no answer has to wake another core (measured: 15 % less processor
            // time and 10 % less wall time than two workers on the 2-core benchmark machine).
            .worker_threads(1)
            // Trials run on these threads: a panic there is reported by the trial.
            .on_thread_start(|| IN_TRIAL.with(|c| c.set(true)))
            .enable_all()
            .build()
            .map_err(|e| ConfigError::new(format!("cannot start the async runtime: {e}")))?,
    );
    let target = resolve_target(&config.target, config.profile)?;
    let ca_certs = match &config.ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            ConfigError::new(format!(
                "cannot read the CA certificate {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    if config.insecure {
        eprintln!(
            "tfe-contract: warning: TLS certificates are not verified (--insecure); anyone on the path can read the token"
        );
    }
    // The whole run ends by the deadline: trials stop sending a little before it, so that the
    // cleanup still fits.
    let run_deadline = Instant::now() + config.deadline;
    let reserve = CLEANUP_RESERVE.min(config.deadline / 4);
    let transport = Arc::new(
        Transport::new(
            target.address.base(),
            TransportOptions {
                timeout: config.timeout,
                ca_certs,
                insecure: config.insecure,
                deadline: Some(run_deadline - reserve),
                max_rate: config.max_rate,
            },
        )
        .map_err(|e| ConfigError::new(format!("cannot build the HTTP client: {e}")))?,
    );
    let probed = {
        let transport = transport.clone();
        let (address, owner, organization) = (
            target.address.clone(),
            target.owner.clone(),
            target.organization.clone(),
        );
        runtime
            .block_on(
                runtime
                    .spawn(async move { probe(&transport, &address, &owner, &organization).await }),
            )
            .map_err(|e| ConfigError::new(format!("the probe failed: {e}")))??
    };

    let destructive_allowed =
        (target.address.loopback && !config.assume_remote) || config.allow_destructive;
    if !destructive_allowed {
        // Beside the trials that are skipped, the layer that sends refuses anything that
        // would rotate or delete the account's own credentials.
        transport.guard.protect(&target.organization);
    }
    let ctx = Arc::new(RunContext::new(
        transport,
        target.owner.clone(),
        target.organization.clone(),
        config.profile,
        destructive_allowed,
    ));
    if !config.quiet {
        eprintln!(
            "tfe-contract: checking {} (organization {}, profile {})",
            target.description, target.organization, config.profile
        );
    }

    // The trials this run will conduct (libtest's filters and --ignored say which), in the
    // order they start.
    let runs = |c: &&CheckDef| {
        let probe = Trial::test(c.name, || Ok(()));
        !config.libtest.is_filtered_out(&probe) && !config.libtest.is_ignored(&probe)
    };
    let order: Vec<&CheckDef> = execution_order(checks, config.profile)
        .into_iter()
        .filter(runs)
        .collect();
    ctx.expect_trials(order.iter().filter(|c| !c.whole_run).count());
    let judged = order.iter().any(|c| c.whole_run);
    if judged {
        ctx.judge_trials();
        runtime.spawn(suite::start_tour(ctx.clone()));
    }

    ctx.housekeeping(probed);
    let interrupt = config
        .handle_interrupt
        .then(|| runtime.spawn(watch_interrupts(ctx.clone())));

    // The runner schedules the trials itself, as tasks on the runtime: --test-threads says how
    // many run at once (trials wait on the network, not the processor, so several per core by
    // default). libtest only reports them, in the suite's order, each as its verdict arrives.
    let records = Arc::new(Mutex::new(Vec::new()));
    let threads = config.libtest.test_threads.unwrap_or(DEFAULT_TRIAL_THREADS);
    let baseline = config
        .baseline
        .as_ref()
        .map(|b| Arc::new(b.baseline.clone()));
    let mut verdicts = schedule(
        order,
        threads,
        &ctx,
        &runtime,
        &config.snapshots,
        baseline,
        &records,
    );
    let trials = checks
        .iter()
        .map(|def| trial(def, verdicts.remove(def.name), &runtime))
        .collect();
    let mut libtest = config.libtest.clone();
    libtest.test_threads = Some(1);
    let conclusion = libtest_mimic::run(&libtest, trials);

    let halted = ctx.transport.halted();
    let interrupted = halted == Some(Halt::Interrupted);
    let budget = CLEANUP_BUDGET.min(run_deadline.saturating_duration_since(Instant::now()));
    // On the runtime's worker, like the trials: next to the I/O it waits for.
    let cleaning = ctx.clone();
    let leftovers = runtime
        .block_on(runtime.spawn(async move {
            let ctx = cleaning;
            let cleanup = async {
                if halted.is_none() {
                    return ctx.cleanup(&ctx.transport, false).await;
                }
                ctx.transport
                    .settle(budget.min(Duration::from_secs(5)))
                    .await;
                match ctx.transport.fresh_within(budget) {
                    Ok(fresh) => ctx.cleanup(&Arc::new(fresh), interrupted).await,
                    Err(e) => vec![format!("everything: no connection for the cleanup ({e})")],
                }
            };
            match tokio::time::timeout(budget, cleanup).await {
                Ok(leftovers) => leftovers,
                Err(_) => vec![format!(
                    "possibly some of what the run created: the cleanup did not finish within {}s",
                    budget.as_secs()
                )],
            }
        }))
        .unwrap_or_else(|e| {
            vec![format!(
                "possibly some of what the run created: the cleanup failed ({e})"
            )]
        });
    if let Some(handler) = interrupt {
        handler.abort();
    }

    let mut trials = std::mem::take(&mut *records.lock().unwrap_or_else(|e| e.into_inner()));
    let order: HashMap<&str, usize> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name, i))
        .collect();
    trials.sort_by_cached_key(|t| order.get(t.name.as_str()).copied());
    let tour: Vec<Exchange> = ctx.tour.get().map(|t| t.to_vec()).unwrap_or_default();
    let housekeeping = ctx.housekeeping_exchanges();
    let minted = std::mem::take(
        &mut *ctx
            .transport
            .minted
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    );
    let report = RunReport {
        baseline: config
            .baseline
            .as_ref()
            .map(|b| review_baseline(b, checks, &trials)),
        trials,
        leftovers,
        listed_only: false,
        libtest_failed: conclusion.has_failed(),
        interrupted,
        deadline_passed: halted == Some(Halt::DeadlinePassed),
        target: target.description.clone(),
        profile: Some(config.profile),
        tour,
        housekeeping,
        destructive_allowed,
        rate: rate_summary(&ctx.transport.pacer),
        minted: Minted(minted),
    };
    drop(target);
    // Everything the runtime ran is over: let its threads end on their own rather than wait
    // for them (measured: 0.4 ms of every run).
    drop(ctx);
    if let Ok(runtime) = Arc::try_unwrap(runtime) {
        runtime.shutdown_background();
    }
    Ok(report)
}

/// Which baseline entries the run shows fixed, and which name no trial at all.
fn review_baseline(
    config: &BaselineConfig,
    checks: &[CheckDef],
    trials: &[TrialRecord],
) -> BaselineReview {
    let outcome: HashMap<&str, &TrialOutcome> = trials
        .iter()
        .map(|t| (t.name.as_str(), &t.outcome))
        .collect();
    let names: HashSet<&str> = checks.iter().map(|c| c.name).collect();
    let entries = &config.baseline.known;
    BaselineReview {
        path: config.path.display().to_string(),
        entries: entries.len(),
        fixed: entries
            .keys()
            .filter(|name| outcome.get(name.as_str()) == Some(&&TrialOutcome::Passed))
            .cloned()
            .collect(),
        unknown: entries
            .keys()
            .filter(|name| !names.contains(name.as_str()))
            .cloned()
            .collect(),
        strict: config.strict,
    }
}

/// How the run kept to the target's rate limit.
fn rate_summary(pacer: &Pacer) -> RateSummary {
    let pace = pacer.pace();
    let (too_many_requests, waited_out) = pacer.too_many_requests();
    RateSummary {
        paced_at: pace.rate(),
        announced: match pace {
            Pace::Announced(limit) => Some(limit),
            _ => None,
        },
        paced_wait: pacer.waited(),
        too_many_requests,
        waited_out,
    }
}

/// `--list`: the trials the profile runs against this target, in libtest's format; with
/// `--ignored`, the ones it would report as ignored. Nothing is contacted.
fn list(config: &RunConfig, checks: &[CheckDef]) -> RunReport {
    let loopback = match &config.target {
        TargetSpec::Embedded { .. } => true,
        TargetSpec::Remote { address, .. } => Address::parse(address).is_ok_and(|a| a.loopback),
    };
    let destructive_allowed = (loopback && !config.assume_remote) || config.allow_destructive;
    let trials = checks
        .iter()
        .filter_map(|c| {
            let skipped = skip_reason(c, config.profile, destructive_allowed).is_some();
            (skipped == config.libtest.ignored)
                .then(|| Trial::test(c.name, || Ok(())).with_ignored_flag(skipped))
        })
        .collect();
    let _ = libtest_mimic::run(&config.libtest, trials);
    RunReport {
        listed_only: true,
        ..RunReport::default()
    }
}

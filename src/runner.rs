//! The runner: resolves the target (starting the embedded reference server when there is no
//! address), turns every `CheckDef` into a libtest-mimic trial, runs them, cleans up what the
//! run created, and writes the reports. It records per-trial results itself, because libtest's
//! conclusion only counts.

use std::{
    cell::Cell,
    collections::HashMap,
    sync::{Arc, Mutex, Once},
    time::{Duration, Instant},
};

use libtest_mimic::{Completion, Failed, Trial};
use rand::Rng;

use crate::{
    checks::Finding,
    client::{Auth, Halt, Journal, Recorder, Transport, TransportOptions},
    config::{Address, ConfigError, Profile, RunConfig, SnapshotConfig, TargetSpec},
    exchange::Exchange,
    redact::{self, Secret},
    report, server, snapshot,
    suite::{self, CheckDef, RunContext, Session},
};

/// Exit code when every trial passed (or was ignored).
pub const EXIT_PASSED: u8 = 0;
/// Exit code when a check failed: the server broke the contract.
pub const EXIT_FAILED: u8 = 101;
/// Exit code when the harness could not run: usage or configuration.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code when Ctrl-C stopped the run (after its cleanup), as for any interrupted program.
pub const EXIT_INTERRUPTED: u8 = 130;

/// How many trials run at once unless --test-threads says otherwise.
pub const DEFAULT_TRIAL_THREADS: usize = 8;

/// How long the cleanup may take, whatever the target does.
const CLEANUP_BUDGET: Duration = Duration::from_secs(60);
/// The part of the run's deadline kept for the cleanup (at most a quarter of it).
const CLEANUP_RESERVE: Duration = Duration::from_secs(5);

/// The organization the embedded server holds when none is named.
pub const DEFAULT_ORGANIZATION: &str = "tfe-contract";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrialOutcome {
    Passed,
    Failed,
    Ignored(String),
}

/// What one trial did.
#[derive(Clone, Debug)]
pub struct TrialRecord {
    pub name: String,
    pub outcome: TrialOutcome,
    pub duration: Duration,
    /// The failure message, redacted.
    pub message: Option<String>,
    pub findings: Vec<Finding>,
    /// Shared with the run's log the whole-run checks read.
    pub exchanges: Arc<Vec<Exchange>>,
    /// It had the organization token to itself.
    pub exclusive: bool,
    /// The deletions, right after it, of what it created (not part of its verdict).
    pub released: Vec<Exchange>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct RunReport {
    pub trials: Vec<TrialRecord>,
    /// Things the run created and could not delete.
    pub leftovers: Vec<String>,
    /// `--list` only: nothing ran.
    pub listed_only: bool,
    /// libtest counted a failure (agrees with `trials` unless the harness itself broke).
    pub libtest_failed: bool,
    /// Ctrl-C stopped the run.
    pub interrupted: bool,
    /// The run's deadline passed: the requests still to come were not sent.
    pub deadline_passed: bool,
    /// What was checked (redacted when shown).
    pub target: String,
    pub profile: Option<Profile>,
    /// The exchanges of the tour the whole-run checks add (not part of any trial).
    pub tour: Vec<Exchange>,
    /// The exchanges of the probe before the trials and the cleanup after them.
    pub housekeeping: Vec<Exchange>,
    /// Which operation x status pairs the run exercised.
    pub coverage: report::coverage::Coverage,
}

impl RunReport {
    pub fn failed(&self) -> impl Iterator<Item = &TrialRecord> {
        self.trials
            .iter()
            .filter(|t| t.outcome == TrialOutcome::Failed)
    }

    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            EXIT_INTERRUPTED
        } else if self.libtest_failed || self.failed().next().is_some() {
            EXIT_FAILED
        } else {
            EXIT_PASSED
        }
    }

    pub fn trial(&self, name: &str) -> Option<&TrialRecord> {
        self.trials.iter().find(|t| t.name == name)
    }
}

/// The server a run checks, resolved and reachable.
struct Target {
    address: Address,
    owner: Secret,
    organization: String,
    description: String,
    _embedded: Option<server::Handle>,
}

/// Runs the suite as `config` says. `Err` means the harness could not run (exit 2).
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
    let mut verdicts = schedule(order, threads, &ctx, &runtime, &config.snapshots, &records);
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
    let coverage = report::coverage::Coverage::compute(
        ctx.spec,
        trials
            .iter()
            .flat_map(|t| t.exchanges.iter().chain(&t.released))
            .chain(&tour)
            .chain(&housekeeping),
    );
    let report = RunReport {
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
        coverage,
    };
    if let Some(path) = &config.junit {
        report::junit::write(path, &report).map_err(|e| {
            ConfigError::new(format!("cannot write JUnit report {}: {e}", path.display()))
        })?;
    }
    if let Some(path) = &config.report_json {
        report::json::write(path, &report, &report.coverage).map_err(|e| {
            ConfigError::new(format!("cannot write JSON report {}: {e}", path.display()))
        })?;
    }
    if !config.quiet {
        print_summary(&report, destructive_allowed);
    }
    drop(target);
    let minted = std::mem::take(
        &mut *ctx
            .transport
            .minted
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    );
    redact::forget(&minted);
    // Everything the runtime ran is over: let its threads end on their own rather than wait
    // for them (measured: 0.4 ms of every run).
    drop(ctx);
    if let Ok(runtime) = Arc::try_unwrap(runtime) {
        runtime.shutdown_background();
    }
    Ok(report)
}

/// The order trials are handed to libtest's threads: trials that need the organization token
/// to themselves spread evenly among the others, so that a thread waiting for it is rare, and
/// the whole-run checks last (they wait for every other trial). Output is printed as trials
/// end, and `--list` keeps the suite's own order.
fn execution_order(checks: &[CheckDef], profile: Profile) -> Vec<&CheckDef> {
    let (whole, rest): (Vec<&CheckDef>, Vec<&CheckDef>) = checks.iter().partition(|c| c.whole_run);
    let (exclusive, free): (Vec<&CheckDef>, Vec<&CheckDef>) =
        rest.into_iter().partition(|c| c.exclusive_under(profile));
    let mut order = Vec::with_capacity(checks.len());
    let mut free = free.into_iter();
    let per = (free.len() as f64 / exclusive.len().max(1) as f64).max(0.0);
    let mut owed = 0.0;
    for e in exclusive {
        order.push(e);
        owed += per;
        while owed >= 1.0 {
            match free.next() {
                Some(f) => order.push(f),
                None => break,
            }
            owed -= 1.0;
        }
    }
    order.extend(free);
    order.extend(whole);
    order
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

/// On Ctrl-C: no new request leaves, so every trial ends quickly and the run goes on to its
/// cleanup (through a fresh connection) and exits 130. A second Ctrl-C stops at once.
async fn watch_interrupts(ctx: Arc<RunContext>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    eprintln!(
        "tfe-contract: interrupted; finishing the requests under way, then deleting what the run created (Ctrl-C again to stop at once)"
    );
    ctx.transport.halt(Halt::Interrupted);
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!("tfe-contract: stopped without deleting what the run created");
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    }
}

fn resolve_target(spec: &TargetSpec, profile: Profile) -> Result<Target, ConfigError> {
    match spec {
        TargetSpec::Embedded {
            organization,
            token,
        } => {
            let organization = organization
                .clone()
                .unwrap_or_else(|| DEFAULT_ORGANIZATION.to_string());
            let owner = token.clone().unwrap_or_else(random_token);
            let handle = server::spawn(server::Config {
                port: 0,
                organization: organization.clone(),
                owner_token: owner.expose().to_string(),
                profile: match profile {
                    Profile::Tfe => server::Profile::Tfe,
                    Profile::Hcp => server::Profile::Hcp,
                    Profile::Legacy => server::Profile::Legacy,
                },
                faults: Vec::new(),
                quirks: Vec::new(),
                modes: server::Modes::default(),
                seed: None,
            })
            .map_err(|e| {
                ConfigError::new(format!("cannot start the embedded reference server: {e}"))
            })?;
            let url = format!("http://{}", handle.addr);
            Ok(Target {
                address: Address::parse(&url)?,
                owner,
                organization,
                description: format!("the embedded reference server at {url}"),
                _embedded: Some(handle),
            })
        }
        TargetSpec::Remote {
            address,
            token,
            organization,
        } => {
            let address = Address::parse(address)?;
            let owner = token.clone().ok_or_else(|| {
                ConfigError::new(
                    "missing token: pass --token or set TFE_TOKEN (an owner's user token)",
                )
            })?;
            let organization = organization.clone().ok_or_else(|| {
                ConfigError::new(
                    "missing organization: pass --organization or set TFE_ORGANIZATION",
                )
            })?;
            Ok(Target {
                description: address.base().to_string(),
                address,
                owner,
                organization,
                _embedded: None,
            })
        }
    }
}

/// A token in TFE's format, for the embedded server's owner.
pub fn random_token() -> Secret {
    let mut rng = rand::rng();
    let mut part = |n: usize| -> String {
        (&mut rng)
            .sample_iter(rand::distr::Alphanumeric)
            .take(n)
            .map(char::from)
            .collect()
    };
    Secret::new(format!("{}.atlasv1.{}", part(14), part(67)))
}

/// Before any trial: the target answers at all, takes the token, and has the organization.
/// Each failure is one line saying what to fix.
async fn probe(
    transport: &Arc<Transport>,
    address: &Address,
    owner: &Secret,
    organization: &str,
) -> Result<Vec<Exchange>, ConfigError> {
    let journal = Journal::default();
    journal.set_step("probe");
    let anon = Recorder::client(transport, Auth::None, &journal);
    let _ = anon.ping().await;
    let ping = journal.last().expect("probe recorded");
    // Any answer will do here, even one whose body could not be read whole.
    if let Err(e) = &ping.outcome
        && e.status.is_none()
    {
        let certificate = e.message.to_ascii_lowercase().contains("certificate");
        let fix = if certificate {
            "the server's TLS certificate is not trusted: pass --ca-cert FILE for a private CA (or --insecure to skip verification)"
        } else {
            "check --address or TFE_ADDRESS"
        };
        return Err(ConfigError::new(format!(
            "target unreachable: {} ({}); {fix}",
            address.base(),
            e.message
        )));
    }
    let owner = Recorder::client(transport, Auth::Bearer(owner.clone()), &journal);
    let _ = owner.get_organization(organization).await;
    let org = journal.last().expect("probe recorded");
    let status = org
        .status()
        .or_else(|| org.outcome.as_ref().err().and_then(|e| e.status));
    match status {
        Some(401) => Err(ConfigError::new(format!(
            "the target rejected the token (401 on GET /organizations/{}); check --token or TFE_TOKEN",
            organization
        ))),
        Some(404) => Err(ConfigError::new(format!(
            "organization {:?} not found, or not visible to this token (404); check --organization or TFE_ORGANIZATION",
            organization
        ))),
        None => Err(ConfigError::new(format!(
            "target unreachable: {}; check --address or TFE_ADDRESS",
            Finding::no_response(&org).actual
        ))),
        Some(_) => Ok(journal.exchanges()),
    }
}

fn skip_reason(def: &CheckDef, profile: Profile, destructive_allowed: bool) -> Option<String> {
    if !def.applies_to(profile) {
        let profiles: Vec<&str> = def.profiles.iter().map(|p| p.name()).collect();
        return Some(format!(
            "not in profile {profile}: applies to {}",
            profiles.join(", ")
        ));
    }
    if def.destructive.under(profile) && !destructive_allowed {
        return Some(
            "destructive on a non-loopback target: rotates or deletes a credential you may depend on (organization, owners-team or audit-trails token); pass --allow-destructive to run it"
                .to_string(),
        );
    }
    None
}

/// What a trial came to, handed by the scheduler to libtest's runner for it.
enum Verdict {
    Passed,
    Failed(String),
    Ignored(String),
}

/// Starts the trials in `order` on the runtime, at most `threads` at a time, and returns, for
/// each, where its verdict will arrive.
fn schedule(
    order: Vec<&CheckDef>,
    threads: usize,
    ctx: &Arc<RunContext>,
    runtime: &tokio::runtime::Runtime,
    snapshots: &Option<SnapshotConfig>,
    records: &Arc<Mutex<Vec<TrialRecord>>>,
) -> HashMap<&'static str, tokio::sync::oneshot::Receiver<Verdict>> {
    let mut verdicts = HashMap::new();
    let mut jobs = Vec::new();
    for def in order {
        let (tx, rx) = tokio::sync::oneshot::channel();
        verdicts.insert(def.name, rx);
        jobs.push((def.clone(), tx));
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(threads.max(1)));
    let (ctx, snapshots, records) = (ctx.clone(), snapshots.clone(), records.clone());
    runtime.spawn(async move {
        for (def, tx) in jobs {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let (ctx, snapshots, records) = (ctx.clone(), snapshots.clone(), records.clone());
            tokio::spawn(async move {
                let verdict = conduct(def, ctx, snapshots, records).await;
                drop(permit);
                let _ = tx.send(verdict);
            });
        }
    });
    verdicts
}

/// libtest's side of a trial: waits for the verdict the scheduler delivers.
fn trial(
    def: &CheckDef,
    verdict: Option<tokio::sync::oneshot::Receiver<Verdict>>,
    runtime: &Arc<tokio::runtime::Runtime>,
) -> Trial {
    let runtime = runtime.clone();
    Trial::ignorable_test(def.name, move || {
        let Some(verdict) = verdict else {
            return Err(Failed::from("the trial was not scheduled (a harness bug)"));
        };
        match runtime.block_on(verdict) {
            Ok(Verdict::Passed) => Ok(Completion::Completed),
            Ok(Verdict::Ignored(reason)) => Ok(Completion::ignored_with(reason)),
            Ok(Verdict::Failed(message)) => Err(Failed::from(message)),
            Err(_) => Err(Failed::from(
                "the trial ended without a verdict (a harness bug)",
            )),
        }
    })
}

/// Runs one trial: its locks, its body (as a task of its own, so that a panic is caught), its
/// snapshot, its record.
async fn conduct(
    def: CheckDef,
    ctx: Arc<RunContext>,
    snapshots: Option<SnapshotConfig>,
    records: Arc<Mutex<Vec<TrialRecord>>>,
) -> Verdict {
    // Whatever happens below, the whole-run checks must learn that this trial is over.
    let mut finished = Finished {
        ctx: (!def.whole_run).then(|| ctx.clone()),
        exchanges: Arc::default(),
    };
    let record = |r: TrialRecord| records.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    if let Some(reason) = skip_reason(&def, ctx.profile, ctx.destructive_allowed) {
        record(TrialRecord {
            name: def.name.to_string(),
            outcome: TrialOutcome::Ignored(reason.clone()),
            duration: Duration::ZERO,
            message: None,
            findings: Vec::new(),
            exchanges: Arc::default(),
            exclusive: false,
            released: Vec::new(),
        });
        return Verdict::Ignored(reason);
    }
    let started = Instant::now();
    let session = Session::new(ctx.clone());
    let exclusive = def.exclusive_under(ctx.profile);
    let owners_team = def.owners_team;
    let body = {
        let (ctx, run, session) = (ctx.clone(), def.run.clone(), session.clone());
        tokio::spawn(async move {
            let _exclusive = if exclusive {
                Some(ctx.lock_org_token().await)
            } else {
                None
            };
            let _owners_team = if owners_team {
                Some(ctx.lock_owners_team().await)
            } else {
                None
            };
            run(session).await
        })
    };
    let panicked = match body.await {
        Ok(_) => None,
        Err(e) if e.is_panic() => Some(panic_message(e.into_panic().as_ref())),
        Err(e) => Some(redact::text(&e.to_string())),
    };

    // What the trial created goes now, with its locks released and while other trials run,
    // rather than all at the end of the run.
    let released = ctx.release(session.take_created()).await;
    let mut findings = session.findings();
    let exchanges = Arc::new(session.take_exchanges());
    finished.exchanges = exchanges.clone();
    if let Some(cfg) = &snapshots
        && !exchanges.is_empty()
    {
        findings.extend(snapshot::check(
            cfg,
            def.name,
            &ctx.organization,
            &session.generated_names(),
            &exchanges,
        ));
    }
    let message = render_failure(&findings, panicked.as_deref());
    record(TrialRecord {
        name: def.name.to_string(),
        outcome: if message.is_some() {
            TrialOutcome::Failed
        } else {
            TrialOutcome::Passed
        },
        duration: started.elapsed(),
        message: message.clone(),
        findings,
        exchanges,
        exclusive,
        released,
    });
    match message {
        Some(m) => Verdict::Failed(m),
        None => Verdict::Passed,
    }
}

/// Tells the run a trial is over when dropped, even if the trial's wrapper itself panicked.
struct Finished {
    ctx: Option<Arc<RunContext>>,
    exchanges: Arc<Vec<Exchange>>,
}

impl Drop for Finished {
    fn drop(&mut self) {
        if let Some(ctx) = &self.ctx {
            ctx.trial_finished(std::mem::take(&mut self.exchanges));
        }
    }
}

fn render_failure(findings: &[Finding], panicked: Option<&str>) -> Option<String> {
    if findings.is_empty() && panicked.is_none() {
        return None;
    }
    let mut out = String::new();
    if let Some(p) = panicked {
        out.push_str(&format!("the trial panicked (a harness bug): {p}\n"));
    }
    let mut last_exchange: Option<&str> = None;
    for f in findings {
        if let Some(ex) = &f.exchange
            && last_exchange != Some(ex.as_str())
        {
            out.push_str(ex);
            out.push('\n');
            last_exchange = Some(ex);
        }
        out.push_str("  ");
        out.push_str(&f.detail());
        out.push('\n');
    }
    Some(redact::text(out.trim_end()))
}

impl RunReport {
    /// How often requests were retried after a 429, over the whole run.
    pub fn retries(&self) -> u64 {
        self.trials
            .iter()
            .flat_map(|t| t.exchanges.iter().chain(&t.released))
            .chain(&self.tour)
            .chain(&self.housekeeping)
            .map(|e| u64::from(e.retries))
            .sum()
    }
}

fn print_summary(report: &RunReport, destructive_allowed: bool) {
    eprint!("tfe-contract: {}", report.coverage.render());
    let retries = report.retries();
    if retries > 0 {
        eprintln!("tfe-contract: retried {retries} request(s) after 429 Too Many Requests");
    }
    if report.deadline_passed {
        eprintln!(
            "tfe-contract: the run reached its deadline (--deadline); the requests still to come were not sent"
        );
    }
    let skipped_destructive = report
        .trials
        .iter()
        .filter(|t| matches!(&t.outcome, TrialOutcome::Ignored(r) if r.starts_with("destructive")))
        .count();
    if skipped_destructive > 0 && !destructive_allowed {
        eprintln!(
            "tfe-contract: not checked: {skipped_destructive} destructive trial(s) (rotating or deleting the organization, owners-team or audit-trails token); pass --allow-destructive to run them against this target"
        );
    }
    for leftover in &report.leftovers {
        eprintln!(
            "tfe-contract: left behind: {leftover} (could not be deleted; remove it by hand)"
        );
    }
}

thread_local! {
    static IN_TRIAL: Cell<bool> = const { Cell::new(false) };
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let raw = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    redact::text(raw)
}

/// Inside a trial a panic is reported by the trial's failure message (redacted), so the hook
/// stays silent there; elsewhere it defers to whatever hook was installed before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TRIAL.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// For the command line: panic messages outside trials pass through redaction too. A reader
/// that went away (`run --list | head`) ends the process quietly, as SIGPIPE would.
pub fn install_redacting_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info.payload());
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("tfe-contract: internal error{location}: {message}");
    }));
}

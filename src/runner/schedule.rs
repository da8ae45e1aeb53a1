//! Conducting the trials: the order they start in, why one is skipped, scheduling them on the
//! runtime, conducting and judging each one, and Ctrl-C while they run.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use libtest_mimic::{Completion, Failed, Trial};

use crate::{
    baseline::{Baseline, Judgement},
    checks::{Finding, clients},
    client::Halt,
    config::{Profile, SnapshotConfig},
    exchange::Exchange,
    record::{EXIT_INTERRUPTED, TrialOutcome, TrialRecord},
    redact, snapshot,
    suite::{CheckDef, RunContext, Session},
};

use super::panics::panic_message;

/// The order trials are handed to libtest's threads: trials that need the organization token
/// to themselves spread evenly among the others, so that a thread waiting for it is rare, the
/// exploring ones first among the others (they are the longest, and most of their requests go
/// with credentials other than the user's: under a limit per credential, starting them last
/// left those credentials idle while the user's was busy, and the other way round at the end;
/// a `tfe` run at 30 requests/s took 16.4 s against a floor of 12.3 s), and the whole-run checks
/// last (they wait for every other trial). Output is printed as trials end, and `--list` keeps
/// the suite's own order.
pub(super) fn execution_order(checks: &[CheckDef], profile: Profile) -> Vec<&CheckDef> {
    let (whole, rest): (Vec<&CheckDef>, Vec<&CheckDef>) = checks.iter().partition(|c| c.whole_run);
    let (exclusive, mut free): (Vec<&CheckDef>, Vec<&CheckDef>) =
        rest.into_iter().partition(|c| c.exclusive_under(profile));
    free.sort_by_key(|c| !c.explores);
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

pub(super) fn skip_reason(
    def: &CheckDef,
    profile: Profile,
    destructive_allowed: bool,
    explore_budget: u32,
) -> Option<String> {
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
    if def.explores && explore_budget == 0 {
        return Some("exploration is off (--explore-budget 0)".to_string());
    }
    None
}

/// What a trial came to, handed by the scheduler to libtest's runner for it.
pub(super) enum Verdict {
    Passed,
    Failed(String),
    Ignored(String),
}

/// What every trial of the run is conducted with, beside the run's context.
pub(super) struct Conduct {
    pub snapshots: Option<SnapshotConfig>,
    pub baseline: Option<Arc<Baseline>>,
    /// The trial made to panic (`RunConfig::panic_in_trial`, for the harness's own tests).
    pub panic_in: Option<String>,
}

/// Starts the trials in `order` on the runtime, at most `threads` at a time, and returns, for
/// each, where its verdict will arrive.
pub(super) fn schedule(
    order: Vec<&CheckDef>,
    threads: usize,
    ctx: &Arc<RunContext>,
    runtime: &tokio::runtime::Runtime,
    conduct_with: Conduct,
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
    let (ctx, with, records) = (ctx.clone(), Arc::new(conduct_with), records.clone());
    runtime.spawn(async move {
        if !jobs.is_empty() {
            ctx.look_up().await;
            ctx.make_setup_token().await;
        }
        for (def, tx) in jobs {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let (ctx, with, records) = (ctx.clone(), with.clone(), records.clone());
            tokio::spawn(async move {
                let verdict = conduct(def, ctx, with, records).await;
                drop(permit);
                let _ = tx.send(verdict);
            });
        }
    });
    verdicts
}

/// libtest's side of a trial: waits for the verdict the scheduler delivers.
pub(super) fn trial(
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
/// snapshot, its record, and what the baseline makes of a failure.
async fn conduct(
    def: CheckDef,
    ctx: Arc<RunContext>,
    with: Arc<Conduct>,
    records: Arc<Mutex<Vec<TrialRecord>>>,
) -> Verdict {
    // Whatever happens below, the whole-run checks must learn that this trial is over.
    let mut finished = Finished {
        ctx: (!def.whole_run).then(|| ctx.clone()),
        exchanges: Arc::default(),
    };
    let record = |r: TrialRecord| records.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    if let Some(reason) = skip_reason(
        &def,
        ctx.profile,
        ctx.destructive_allowed,
        ctx.exploration.budget,
    ) {
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
    let made_to_panic = with.panic_in.as_deref() == Some(def.name);
    let body = {
        let (ctx, run, session) = (ctx.clone(), def.run.clone(), session.clone());
        tokio::spawn(async move {
            if made_to_panic {
                panic!("made to panic by RunConfig::panic_in_trial (a test of the harness)");
            }
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
    let passed = panicked.is_none() && session.findings().is_empty();
    let released = ctx.release(session.take_created_to_release(passed)).await;
    let mut findings = session.findings();
    let exchanges = Arc::new(session.take_exchanges());
    finished.exchanges = exchanges.clone();
    if let Some(cfg) = &with.snapshots
        && !exchanges.is_empty()
        && !def.explores
    {
        findings.extend(snapshot::check(
            cfg,
            def.name,
            &ctx.organization,
            &session.generated_names(),
            &exchanges,
        ));
    }
    for finding in &mut findings {
        clients::attach(finding);
    }
    if !findings.is_empty() {
        // The whole-run checks name other trials' exchanges.
        let elsewhere = findings.iter().any(|f| {
            f.exchange_id
                .is_some_and(|id| !exchanges.iter().any(|e| e.id == id))
        });
        let others: Vec<Arc<Vec<Exchange>>> = if elsewhere {
            let records = records.lock().unwrap_or_else(|e| e.into_inner());
            records.iter().map(|t| t.exchanges.clone()).collect()
        } else {
            Vec::new()
        };
        reproductions(&mut findings, &exchanges, &others, &ctx);
    }
    let mut message = render_failure(&findings, panicked.as_deref());
    let judgement = match (&message, &with.baseline) {
        (Some(_), Some(baseline)) => baseline.judge(def.name, &findings, panicked.is_some()),
        _ => Judgement::NotListed,
    };
    if let (Judgement::NewKinds(new), Some(m)) = (&judgement, &mut message) {
        m.push_str(&format!(
            "\nbaseline: its entry does not list {}: a new deviation",
            new.join(", ")
        ));
    }
    let outcome = match (&message, &judgement) {
        (None, _) => TrialOutcome::Passed,
        (Some(_), _) if panicked.is_some() => TrialOutcome::Panicked,
        (Some(_), Judgement::Known(summary)) => TrialOutcome::Known(summary.clone()),
        (Some(_), _) => TrialOutcome::Failed,
    };
    record(TrialRecord {
        name: def.name.to_string(),
        outcome: outcome.clone(),
        duration: started.elapsed(),
        message: message.clone(),
        findings,
        exchanges: Arc::new(exchanges.iter().map(Exchange::for_the_record).collect()),
        exclusive,
        released,
    });
    match (outcome, message) {
        (TrialOutcome::Known(summary), _) => Verdict::Ignored(summary),
        (_, Some(m)) => Verdict::Failed(m),
        _ => Verdict::Passed,
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

/// Gives each finding the command lines that reproduce it (`crate::reproduce`): for a case
/// exploration drew, its requests up to the one that broke the contract; for any other finding
/// on a trial's exchange, that trial's requests up to it (a trial's earlier requests make the
/// state its last one meets); for one on another trial's exchange (a whole-run check's) or on
/// the tour's, that exchange alone with what handed out the values it uses; for a finding on
/// no exchange, the trial's requests. The probe's answers may supply values too.
fn reproductions(
    findings: &mut [Finding],
    own: &[Exchange],
    others: &[Arc<Vec<Exchange>>],
    ctx: &RunContext,
) {
    let origin = crate::reproduce::origin(&ctx.transport.base);
    let caller = ctx.owner.expose();
    let housekeeping = ctx.housekeeping_exchanges();
    let tour: &[Exchange] = ctx.tour.get().map_or(&[], |t| t.as_slice());
    let probe: Vec<&Exchange> = housekeeping.iter().collect();
    let mut handouts = crate::reproduce::Handouts::default();
    for f in findings.iter_mut() {
        let position = |list: &[Exchange]| {
            f.exchange_id
                .and_then(|id| list.iter().position(|ex| ex.id == id))
        };
        let (chain, earlier): (Vec<&Exchange>, Vec<&Exchange>) = if let Some(case) = &f.case {
            let mut chain: Vec<&Exchange> = own
                .iter()
                .filter(|ex| case.requests.contains(&ex.id))
                .collect();
            if let Some(at) = f
                .exchange_id
                .and_then(|id| chain.iter().position(|ex| ex.id == id))
            {
                chain.truncate(at + 1);
            }
            let first = case.requests.first().copied().unwrap_or(u64::MAX);
            let earlier = own
                .iter()
                .filter(|ex| ex.id < first)
                .chain(&housekeeping)
                .collect();
            (chain, earlier)
        } else if let Some(at) = position(own) {
            (own[..=at].iter().collect(), probe.clone())
        } else if let Some((list, at)) = others
            .iter()
            .find_map(|list| position(list).map(|at| (list, at)))
        {
            // A whole-run check judges one answer of another trial: that request, after the
            // ones it needs, not the other trial's whole journal (thousands of requests for an
            // exploring one).
            let earlier = list[..at].iter().chain(&housekeeping).collect();
            (vec![&list[at]], earlier)
        } else if let Some(at) = position(tour) {
            let earlier = tour[..at].iter().chain(&housekeeping).collect();
            (vec![&tour[at]], earlier)
        } else if f.exchange_id.is_none() {
            (own.iter().collect(), probe.clone())
        } else {
            (Vec::new(), Vec::new())
        };
        f.reproduce =
            crate::reproduce::commands_with(&mut handouts, &chain, &earlier, &origin, caller);
    }
}

fn render_failure(findings: &[Finding], panicked: Option<&str>) -> Option<String> {
    if findings.is_empty() && panicked.is_none() {
        return None;
    }
    let mut out = String::new();
    if let Some(p) = panicked {
        out.push_str(&format!(
            "the trial panicked: a bug of the harness, not of the server; please report it: {p}\n"
        ));
    }
    let mut last_exchange: Option<&str> = None;
    let mut last_reproduction: &[String] = &[];
    for (n, f) in findings.iter().enumerate() {
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
        // Once for the findings on one exchange, after the last of them.
        let next_same = findings
            .get(n + 1)
            .is_some_and(|next| next.exchange == f.exchange && next.reproduce == f.reproduce);
        if !f.reproduce.is_empty() && !next_same && f.reproduce != last_reproduction {
            out.push_str(REPRODUCE_HEADING);
            for line in &f.reproduce {
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
            last_reproduction = &f.reproduce;
        }
    }
    Some(redact::text(out.trim_end()))
}

/// What precedes a finding's reproduction in its trial's failure message.
pub const REPRODUCE_HEADING: &str =
    "  reproduce (sh, with TFE_TOKEN exported; needs curl and jq):\n";

/// On Ctrl-C: no new request leaves, so every trial ends quickly and the run goes on to its
/// cleanup (through a fresh connection) and exits 130. A second Ctrl-C stops at once, once
/// what was already written got out through redaction (within a bounded time).
pub(super) async fn watch_interrupts(ctx: Arc<RunContext>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    eprintln!(
        "tfe-contract: interrupted; finishing the requests under way, then deleting what the run created (Ctrl-C again to stop at once)"
    );
    ctx.transport.halt(Halt::Interrupted);
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!(
            "tfe-contract: stopped without deleting what the run created (whatever carries the run's tag \"-{}-\" in its name or description may be left)",
            ctx.run_tag
        );
        crate::stdout::exit_drained(EXIT_INTERRUPTED, crate::stdout::DRAIN_WITHIN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exploring_trials_start_first_and_the_whole_run_checks_last() {
        let all = crate::suite::all();
        for profile in [Profile::Tfe, Profile::Hcp] {
            let order = execution_order(all, profile);
            assert_eq!(order.len(), all.len());
            let free: Vec<&CheckDef> = order
                .iter()
                .copied()
                .filter(|c| !c.whole_run && !c.exclusive_under(profile))
                .collect();
            let first_fixed = free.iter().position(|c| !c.explores).expect("fixed trials");
            assert!(first_fixed > 0, "an exploring trial starts first");
            assert!(
                free[first_fixed..].iter().all(|c| !c.explores),
                "every exploring trial before the fixed ones"
            );
            let first_whole = order
                .iter()
                .position(|c| c.whole_run)
                .expect("whole-run checks");
            assert!(order[first_whole..].iter().all(|c| c.whole_run));
            // The organization token's trials are spread from the start: one comes first.
            let first_exclusive = order.iter().position(|c| c.exclusive_under(profile));
            assert_eq!(first_exclusive, Some(0));
        }
    }
}

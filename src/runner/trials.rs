//! The trials themselves: which run and in what order, the tour the whole-run checks add, the
//! scheduler that conducts them, and libtest, which reports each verdict as it arrives.

use std::sync::{Arc, Mutex};

use libtest_mimic::{Conclusion, Trial};

use crate::{
    baseline::Baseline,
    config::RunConfig,
    record::TrialRecord,
    suite::{self, CheckDef, RunContext},
};

use super::schedule::{Conduct, execution_order, schedule, trial, watch_interrupts};

/// How many trials run at once unless --test-threads says otherwise.
pub const DEFAULT_TRIAL_THREADS: usize = 8;

/// Runs the trials `config` selects and returns libtest's conclusion with each trial's record
/// (in the order they ended) and the Ctrl-C watcher, still watching during the cleanup.
pub(super) fn run_trials(
    config: &RunConfig,
    checks: &'static [CheckDef],
    ctx: &Arc<RunContext>,
    runtime: &Arc<tokio::runtime::Runtime>,
    baseline: Option<Arc<Baseline>>,
) -> (
    Conclusion,
    Vec<TrialRecord>,
    Option<tokio::task::JoinHandle<()>>,
) {
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

    let interrupt = config
        .handle_interrupt
        .then(|| runtime.spawn(watch_interrupts(ctx.clone())));

    // The runner schedules the trials itself, as tasks on the runtime: --test-threads says how
    // many run at once (trials wait on the network, not the processor, so several per core by
    // default). libtest only reports them, in the suite's order, each as its verdict arrives.
    let records = Arc::new(Mutex::new(Vec::new()));
    let threads = config.libtest.test_threads.unwrap_or(DEFAULT_TRIAL_THREADS);
    let conduct = Conduct {
        snapshots: config.snapshots.clone(),
        baseline,
        panic_in: config.panic_in_trial.clone(),
    };
    let mut verdicts = schedule(order, threads, ctx, runtime, conduct, &records);
    let trials = checks
        .iter()
        .map(|def| trial(def, verdicts.remove(def.name), runtime))
        .collect();
    let mut libtest = config.libtest.clone();
    libtest.test_threads = Some(1);
    let conclusion = libtest_mimic::run(&libtest, trials);

    let records = std::mem::take(&mut *records.lock().unwrap_or_else(|e| e.into_inner()));
    (conclusion, records, interrupt)
}

//! `run`: the whole run, phase by phase: set up, the trials, the cleanup, the records.

use std::sync::Arc;

use crate::{
    baseline::Baseline,
    config::{ConfigError, RunConfig},
    record::RunReport,
    suite,
};

use super::{
    cleanup::clean_up,
    list::list,
    panics::install_panic_hook,
    records::{Ended, records},
    setup::{Setup, set_up},
    trials::run_trials,
};

/// Runs the suite as `config` says, judging failures against `baseline` (the file
/// `config.baseline` names, read by the caller), and returns the run's records; the reports
/// are rendered from them afterwards (`crate::app`). `Err` means the harness could not run
/// (exit 2).
pub fn run(config: RunConfig, baseline: Option<Baseline>) -> Result<RunReport, ConfigError> {
    install_panic_hook();
    let checks = suite::all();
    if config.libtest.list {
        return Ok(list(&config, checks));
    }
    let Setup {
        runtime,
        target,
        ctx,
        run_deadline,
    } = set_up(&config)?;
    let baseline = baseline.map(Arc::new);
    let (conclusion, trials, interrupt) =
        run_trials(&config, checks, &ctx, &runtime, baseline.clone());
    let leftovers = clean_up(&ctx, &runtime, run_deadline);
    if let Some(handler) = interrupt {
        handler.abort();
    }
    let report = records(
        &config,
        checks,
        &ctx,
        baseline.as_deref(),
        Ended {
            conclusion,
            trials,
            leftovers,
            target: target.description.clone(),
        },
    );
    drop(target);
    // Everything the runtime ran is over: let its threads end on their own rather than wait
    // for them (measured: 0.4 ms of every run).
    drop(ctx);
    if let Ok(runtime) = Arc::try_unwrap(runtime) {
        runtime.shutdown_background();
    }
    Ok(report)
}

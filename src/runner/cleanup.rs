//! After the trials: deleting what the run created, within a budget, through a fresh
//! connection when the run was halted (Ctrl-C, deadline); what could not be deleted is named,
//! and so are the kinds the final sweep could not list.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{client::Halt, suite::RunContext};

/// How long the cleanup may take, whatever the target does.
const CLEANUP_BUDGET: Duration = Duration::from_secs(60);

/// Deletes what the run created and returns what is left behind (described for people).
pub(super) fn clean_up(
    ctx: &Arc<RunContext>,
    runtime: &tokio::runtime::Runtime,
    run_deadline: Instant,
) -> Vec<String> {
    let halted = ctx.transport.halted();
    let interrupted = halted == Some(Halt::Interrupted);
    let budget = CLEANUP_BUDGET.min(run_deadline.saturating_duration_since(Instant::now()));
    // On the runtime's worker, like the trials: next to the I/O it waits for.
    let cleaning = ctx.clone();
    runtime
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
                    Err(e) => {
                        ctx.sweep_not_done();
                        vec![format!("everything: no connection for the cleanup ({e})")]
                    }
                }
            };
            match tokio::time::timeout(budget, cleanup).await {
                Ok(leftovers) => leftovers,
                Err(_) => {
                    ctx.sweep_not_done();
                    vec![format!(
                    "possibly some of what the run created: the cleanup did not finish within {}s",
                    budget.as_secs()
                    )]
                }
            }
        }))
        .unwrap_or_else(|e| {
            ctx.sweep_not_done();
            vec![format!(
                "possibly some of what the run created: the cleanup failed ({e})"
            )]
        })
}

//! What the run prints outside the trials: the summary at its end, and panics, whose messages
//! pass through redaction (the panic hooks).

use std::{cell::Cell, sync::Once};

use crate::redact;

use super::{RunReport, TrialOutcome};

pub(super) fn print_summary(report: &RunReport, destructive_allowed: bool) {
    eprint!("tfe-contract: {}", report.coverage.render());
    let rate = &report.rate;
    if let Some(pace) = rate.paced_at {
        let why = match rate.announced {
            Some(limit) => format!("95% of the X-RateLimit-Limit of {limit}"),
            None => "--max-rate".to_string(),
        };
        eprintln!(
            "tfe-contract: paced at {pace:.1} requests/s per token ({why}); requests waited {:.1} s for their turn",
            rate.paced_wait.as_secs_f64()
        );
    }
    let retries = report.retries();
    if rate.too_many_requests > 0 || retries > 0 {
        eprintln!(
            "tfe-contract: {} answer(s) were 429 Too Many Requests; the run waited {:.1} s for them and retried {retries} request(s)",
            rate.too_many_requests,
            rate.waited_out.as_secs_f64()
        );
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
        // What was left holds ids and names the server chose: redacted like everything shown.
        eprintln!(
            "tfe-contract: left behind: {} (could not be deleted; remove it by hand)",
            redact::text(leftover)
        );
    }
}

thread_local! {
    pub(super) static IN_TRIAL: Cell<bool> = const { Cell::new(false) };
}

pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let raw = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    redact::text(raw)
}

/// Inside a trial a panic is reported by the trial's failure message (redacted), so the hook
/// stays silent there; elsewhere it defers to whatever hook was installed before.
pub(super) fn install_panic_hook() {
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

//! Panics, whose messages pass through redaction (the panic hooks).

use std::{cell::Cell, sync::Once};

use crate::redact;

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

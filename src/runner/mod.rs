//! The runner: resolves the target (starting the embedded reference server when there is no
//! address), turns every `CheckDef` into a libtest-mimic trial, runs them, cleans up what the
//! run created, and fills the run's records (`crate::record`), because libtest's conclusion
//! only counts.

mod cleanup;
mod list;
mod panics;
mod records;
mod run;
mod schedule;
mod setup;
mod target;
mod trials;

pub use panics::install_redacting_panic_hook;
pub use run::run;
pub use target::{DEFAULT_ORGANIZATION, random_token};
pub use trials::DEFAULT_TRIAL_THREADS;

//! tfe-contract: a contract-test harness for the Terraform Enterprise / HCP Terraform API v2
//! token endpoints.
//!
//! Data flows one way: the spec (`spec`) gives the typed client (`client`); the suite's cases
//! (`suite`) drive it and record exchanges (`exchange`); pure checks (`checks`) judge them;
//! the runner (`runner`) turns verdicts into libtest trials and fills the run's records
//! (`record`); reports (`report`) render those records after the run (`app` conducts both), and
//! snapshots render each trial's exchanges, everything passing through one redaction module
//! (`redact`); each finding's exchanges become the `curl` lines that send them again
//! (`reproduce`); path segments are encoded by a leaf everyone may use (`segment`). The reference
//! server (`server`) stands apart: it shares no code with the rest and is reached only over
//! HTTP. `tests/harness/flow.rs` holds the imports to this.

pub mod app;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod client;
pub mod config;
pub mod exchange;
pub mod guard;
pub mod pacing;
pub mod record;
pub mod redact;
pub mod replay;
pub mod report;
pub mod reproduce;
pub mod runner;
pub mod segment;
pub mod server;
pub mod snapshot;
pub mod spec;
pub mod stdout;
pub mod suite;

/// The harness keeps every exchange of a run and allocates on the worker thread that sends
/// them; glibc grows that thread's arena a page at a time, which cost about a tenth of the
/// run's processor time. mimalloc does not (see the README's performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

//! The suite: every trial the harness can run, as data. Each `CheckDef` names a trial
//! (`area::check`), says which profiles it applies to, whether it destroys credentials, and
//! whether it needs the organization token to itself; its body drives the client through a
//! `Session` and hands the exchanges to the pure checks in `crate::checks`.
//!
//! One folder per token family (`organization`, `audit_trails`, `legacy_team`, `team`,
//! `user`, `agent`) holds its trials, its rows of the authorization matrix and the personas it
//! provides, its part of the conformance tour and its cleanup; `registry` lists them. The rest
//! is generic and knows no family by name: what a trial is (`check`), a trial's view of the
//! run (`session`), the run's shared state (`run`), the whole-run judge (`judge`), the cleanup
//! log (`cleanup`), shared steps (`steps`, `fixtures`, `ids`), and the trial sets built over
//! every family (`auth`, `authz`, `conformance`).

mod agent;
mod audit_trails;
mod auth;
pub mod authz;
mod check;
mod cleanup;
mod conformance;
mod explore;
mod family;
pub(crate) mod fixtures;
mod ids;
mod judge;
mod legacy_team;
mod organization;
mod prelude;
mod registry;
mod run;
mod session;
pub(crate) mod steps;
mod team;
mod user;

pub use agent::NO_AGENT_POOL;
pub use audit_trails::NO_AUDIT_TRAILS;
pub use check::{Body, Boxed, CURRENT, CheckDef, Destructive, EVERY_PROFILE, HCP, TrialFuture};
pub use cleanup::{Created, Kind, Removal, SWEEP, Stage};
pub use conformance::start_tour;
pub use explore::{Exploration, Replay};
pub use family::Family;
pub use registry::{all, families};
pub use run::RunContext;
pub use session::{Session, Stop};
pub use steps::Entitlement;

//! The suite: every check the harness can run, as data. Each `CheckDef` names a trial
//! (`area::check`), says which profiles it applies to, whether it destroys credentials, and
//! whether it needs the organization token to itself; its body drives the client through a
//! `Session` and hands the exchanges to the pure checks in `crate::checks`.

mod agent_token;
mod audit_token;
mod auth;
pub mod authz;
mod common;
mod conformance;
mod context;
mod org_token;
mod team_token;
mod team_token_list;
mod team_tokens;
mod user_token;

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, OnceLock},
};

pub use common::ENTITLEMENTS;
pub use common::{NO_AGENT_POOL, NO_AUDIT_TRAILS};
pub use conformance::start_tour;
pub use context::{Created, RunContext, Session, Stop};

use crate::config::Profile;

pub type TrialFuture = Pin<Box<dyn Future<Output = Result<(), Stop>> + Send>>;

/// A trial's body: given a session, drive the server and record findings.
pub type Body = Arc<dyn Fn(Session) -> TrialFuture + Send + Sync>;

/// Whether a check destroys a credential the user may depend on (the organization token, the
/// owners team's token, the audit-trails token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destructive {
    Never,
    Always,
    /// Only under these profiles (where the only way to get a credential replaces one).
    Under(&'static [Profile]),
}

impl Destructive {
    pub fn under(self, profile: Profile) -> bool {
        match self {
            Destructive::Never => false,
            Destructive::Always => true,
            Destructive::Under(profiles) => profiles.contains(&profile),
        }
    }
}

/// One check of the suite.
#[derive(Clone)]
pub struct CheckDef {
    /// `area::check`, the trial's name.
    pub name: &'static str,
    /// One line: what a server must do to pass.
    pub summary: &'static str,
    /// Profiles it applies to; all when empty.
    pub profiles: &'static [Profile],
    /// Rotates or deletes a credential the user may depend on.
    pub destructive: Destructive,
    /// Needs the organization token to itself whatever the profile: never runs beside another
    /// such trial (see `exclusive_under`).
    pub exclusive: bool,
    /// Makes tokens of the owners team: never runs beside another such trial (a server that
    /// wrongly revokes a team's other tokens would otherwise fail whichever ran beside it).
    pub owners_team: bool,
    /// Judges every exchange of the run, so it waits until every other trial has finished.
    /// Such checks come last in `all()`.
    pub whole_run: bool,
    pub run: Body,
}

impl CheckDef {
    pub fn new<F>(
        name: &'static str,
        summary: &'static str,
        run: impl Fn(Session) -> F + Send + Sync + 'static,
    ) -> Self
    where
        F: Future<Output = Result<(), Stop>> + Send + 'static,
    {
        Self {
            name,
            summary,
            profiles: &[],
            destructive: Destructive::Never,
            exclusive: false,
            owners_team: false,
            whole_run: false,
            run: Arc::new(move |s| Box::pin(run(s)) as TrialFuture),
        }
    }

    pub fn whole_run(mut self) -> Self {
        self.whole_run = true;
        self
    }

    /// Rotates or deletes the organization token, so it also needs it to itself.
    pub fn destructive(self) -> Self {
        self.destructive_when(Destructive::Always)
    }

    /// Destructive as `destructive` says; where it is, it also needs the organization token
    /// (or the credential it replaces) to itself.
    pub fn destructive_when(mut self, destructive: Destructive) -> Self {
        self.destructive = destructive;
        self
    }

    /// Whether, under `profile`, it must not run beside another such trial.
    pub fn exclusive_under(&self, profile: Profile) -> bool {
        self.exclusive || self.destructive.under(profile)
    }

    pub fn exclusive(mut self) -> Self {
        self.exclusive = true;
        self
    }

    pub fn owners_team(mut self) -> Self {
        self.owners_team = true;
        self
    }

    pub fn only(mut self, profiles: &'static [Profile]) -> Self {
        self.profiles = profiles;
        self
    }

    pub fn applies_to(&self, profile: Profile) -> bool {
        self.profiles.is_empty() || self.profiles.contains(&profile)
    }

    /// The area part of the name (`org_token`).
    pub fn area(&self) -> &'static str {
        self.name.split("::").next().unwrap_or(self.name)
    }
}

/// Every check, in the order trials are listed; built once per process.
pub fn all() -> &'static [CheckDef] {
    static ALL: OnceLock<Vec<CheckDef>> = OnceLock::new();
    ALL.get_or_init(build)
}

fn build() -> Vec<CheckDef> {
    let mut checks = Vec::new();
    checks.extend(org_token::checks());
    checks.extend(audit_token::checks());
    checks.extend(team_token::checks());
    checks.extend(team_tokens::checks());
    checks.extend(team_token_list::checks());
    checks.extend(user_token::checks());
    checks.extend(agent_token::checks());
    checks.extend(auth::checks());
    checks.extend(authz::checks());
    checks.extend(conformance::checks());
    checks
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for check in all() {
            assert!(seen.insert(check.name), "duplicate check {}", check.name);
            let parts: Vec<_> = check.name.split("::").collect();
            assert!(parts.len() >= 2, "{} is not area::check", check.name);
            assert!(
                check
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == ':'),
                "{} has characters outside [a-z_:]",
                check.name
            );
            assert!(!check.summary.is_empty(), "{} has no summary", check.name);
        }
    }

    #[test]
    fn whole_run_checks_come_last() {
        // libtest-mimic hands trials out in order: a whole-run check that waits for the others
        // can only do so safely if every other trial was handed out before it.
        let checks = all();
        let first = checks.iter().position(|c| c.whole_run).expect("some");
        assert!(checks[first..].iter().all(|c| c.whole_run));
    }
}

//! What a trial is to the runner (`CheckDef`): its name, what a server must do to pass, the
//! profiles it applies to, what it may destroy, what it needs to itself, and its body.

use std::{future::Future, pin::Pin, sync::Arc};

use super::{Session, Stop};
use crate::config::Profile;

pub type TrialFuture = Pin<Box<dyn Future<Output = Result<(), Stop>> + Send>>;

/// A trial's body: given a session, drive the server and record findings.
pub type Body = Arc<dyn Fn(Session) -> TrialFuture + Send + Sync>;

/// A step a family hands the generic machinery (its tour, a sweep, a persona, an
/// authorization row's preparation and act): owned arguments in, a boxed future out.
pub type Boxed<T> = futures::future::BoxFuture<'static, T>;

/// Every profile.
pub const EVERY_PROFILE: &[Profile] = &Profile::ALL;
/// The current APIs, Terraform Enterprise and HCP Terraform: not the seeds' era (`legacy`).
pub const CURRENT: &[Profile] = &[Profile::Tfe, Profile::Hcp];
/// HCP Terraform alone.
pub const HCP: &[Profile] = &[Profile::Hcp];

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
    /// Asks generated questions (`suite::explore`): it runs only when the run explores
    /// (`--explore-budget` above 0), and its exchanges, drawn at random, are no snapshot.
    pub explores: bool,
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
            explores: false,
            run: Arc::new(move |s| Box::pin(run(s)) as TrialFuture),
        }
    }

    pub fn explores(mut self) -> Self {
        self.explores = true;
        self
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

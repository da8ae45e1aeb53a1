//! What a token family hands the suite (`Family`): its trials, its rows of the authorization
//! matrix, the personas whose credential it makes, its part of the conformance tour, how to
//! sweep what it may have left, and the entitlement it needs. The generic machinery (the
//! matrix, the tour, the cleanup, the summary) reads these and knows no family by name.

use super::{
    Boxed, CheckDef, EVERY_PROFILE, Entitlement, Session,
    authz::{Provider, Row},
};
use crate::config::Profile;

/// A family's part of the conformance tour.
pub type Tour = fn(Session) -> Boxed<()>;

/// Makes the run's set-up token (`fixtures::SetupToken`), or says there is none.
pub type MakeSetupToken = fn(Session) -> Boxed<Option<super::fixtures::SetupToken>>;

/// Finds what the run may have made of a family without learning of it (by the run's tag),
/// deletes it, and returns what could not be deleted.
pub type Sweep = fn(Session) -> Boxed<Vec<String>>;

pub struct Family {
    /// In words (`organization token`).
    pub name: &'static str,
    /// The profiles whose API has the family: its tour and its sweep run only there (each of
    /// its trials and rows says its own profiles).
    pub profiles: &'static [Profile],
    /// Its trials, in the order they are listed.
    pub trials: fn() -> Vec<CheckDef>,
    /// Its rows of the authorization matrix, each trial of which the matrix generates.
    pub rows: &'static [Row],
    /// The personas whose credential it makes.
    pub personas: &'static [Provider],
    /// Its part of the tour the whole-run checks judge.
    pub tour: Option<Tour>,
    /// Its part of the sweep for what the run made without learning of it.
    pub sweep: Option<Sweep>,
    /// What an organization may lack, without which its trials cannot be checked.
    pub entitlement: Option<&'static Entitlement>,
    /// How it makes the run's set-up token, if its tokens can serve as one.
    pub setup_token: Option<MakeSetupToken>,
}

impl Family {
    /// A family that provides nothing yet: the base of every family's declaration.
    pub const NOTHING: Family = Family {
        name: "",
        profiles: EVERY_PROFILE,
        trials: Vec::new,
        rows: &[],
        personas: &[],
        tour: None,
        sweep: None,
        entitlement: None,
        setup_token: None,
    };

    pub fn applies_to(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }
}

//! Who makes the request (`Persona`), and how each one's credential is made for a trial
//! (`Provider`): the family whose token it is provides it; the owner and the bad tokens are
//! provided here.

use crate::{
    client::Auth,
    config::Profile,
    suite::{Boxed, Destructive, EVERY_PROFILE, Family, Session, Stop},
};

/// Who makes the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persona {
    /// The token the harness was given: a user in the owners team.
    Owner,
    OrganizationToken,
    OwnersTeam,
    /// A team the harness creates outside the owners team, with no permissions.
    Outsider,
    /// Another user token of the owner.
    OwnUserToken,
    Anonymous,
    /// An `Authorization` header that holds no token.
    Malformed,
    /// A token replaced earlier in the trial.
    Revoked,
}

/// How a family makes a persona's credential for a trial.
pub struct Provider {
    pub persona: Persona,
    /// The profiles under which it provides it.
    pub profiles: &'static [Profile],
    /// Making it replaces a credential the user may depend on.
    pub destructive: bool,
    /// One credential serves every trial of the run: it is made once, by the first trial that
    /// needs it, outside that trial's journal (housekeeping), and deleted by the run's cleanup.
    /// Only for a credential that a correct server gives no power over anything a trial
    /// makes or uses (a team outside the owners team, a revoked token, another token of the
    /// user's), so that no trial can tell it from one of its own. Should making it fail, each
    /// trial makes its own, as it did before, and fails naming its own exchange.
    /// Why: about one request in five of the run's set-up token went to making these
    /// personas again for every trial (a team, a token, the team's deletion), and TFE counts
    /// requests per user (ref §6).
    pub shared: bool,
    pub provision: fn(Session) -> Boxed<Result<Auth, Stop>>,
}

/// The personas that need no family: the user's own token and the bad ones.
const GENERIC: &[Provider] = &[
    Provider {
        persona: Persona::Owner,
        profiles: EVERY_PROFILE,
        destructive: false,
        shared: false,
        provision: |s| Box::pin(async move { Ok(s.as_owner()) }),
    },
    Provider {
        persona: Persona::Anonymous,
        profiles: EVERY_PROFILE,
        destructive: false,
        shared: false,
        provision: |_| Box::pin(async { Ok(Auth::None) }),
    },
    Provider {
        persona: Persona::Malformed,
        profiles: EVERY_PROFILE,
        destructive: false,
        shared: false,
        provision: |_| Box::pin(async { Ok(Auth::Raw("Bearer")) }),
    },
];

impl Persona {
    /// In the order of `Row::expect`.
    pub const ALL: [Persona; 8] = [
        Persona::Owner,
        Persona::OrganizationToken,
        Persona::OwnersTeam,
        Persona::Outsider,
        Persona::OwnUserToken,
        Persona::Anonymous,
        Persona::Malformed,
        Persona::Revoked,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Persona::Owner => "owner",
            Persona::OrganizationToken => "organization_token",
            Persona::OwnersTeam => "owners_team",
            Persona::Outsider => "outsider",
            Persona::OwnUserToken => "own_user_token",
            Persona::Anonymous => "anonymous",
            Persona::Malformed => "malformed",
            Persona::Revoked => "revoked",
        }
    }

    /// A bad token: it cannot change anything on a correct server (and none of the faults
    /// lets it), so its trials need no lock.
    pub(super) fn harmless(self) -> bool {
        matches!(
            self,
            Persona::Anonymous | Persona::Malformed | Persona::Revoked
        )
    }

    /// Who provides it, among the generic providers and those of `families`.
    fn providers(self, families: &'static [Family]) -> impl Iterator<Item = &'static Provider> {
        GENERIC
            .iter()
            .chain(families.iter().flat_map(|f| f.personas))
            .filter(move |p| p.persona == self)
    }

    /// The profiles in which some family can provision it.
    pub(super) fn profiles(self, families: &'static [Family]) -> &'static [Profile] {
        let profiles: Vec<Profile> = Profile::ALL
            .into_iter()
            .filter(|p| self.providers(families).any(|q| q.profiles.contains(p)))
            .collect();
        if profiles == Profile::ALL {
            EVERY_PROFILE
        } else {
            Box::leak(profiles.into_boxed_slice())
        }
    }

    /// Under which profiles provisioning it replaces a credential the user may depend on.
    pub(super) fn destructive(self, families: &'static [Family]) -> Destructive {
        let under: Vec<Profile> = Profile::ALL
            .into_iter()
            .filter(|p| {
                self.providers(families)
                    .any(|q| q.destructive && q.profiles.contains(p))
            })
            .collect();
        if under.is_empty() {
            Destructive::Never
        } else if under.len() == self.profiles(families).len() {
            Destructive::Always
        } else {
            Destructive::Under(Box::leak(under.into_boxed_slice()))
        }
    }

    /// Makes its credential for this trial, as the family that provides it under the run's
    /// profile does.
    pub(super) async fn provision(self, s: &Session) -> Result<Auth, Stop> {
        let profile = s.profile();
        let provider = self
            .providers(s.ctx().families())
            .find(|p| p.profiles.contains(&profile))
            .expect("a persona's trials run only where a family provides it");
        if provider.shared
            && let Some(auth) = s
                .ctx()
                .shared_credential(self.name(), provider.provision)
                .await
        {
            return Ok(auth);
        }
        (provider.provision)(s.clone()).await
    }
}

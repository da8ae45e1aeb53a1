//! One row of the matrix (`Row`): an operation, what each persona must get from it and on what
//! source, and what to do: prepare what it acts on (`Target`) and act on it as a persona.

use super::{Expect, Persona};
use crate::{
    client::Auth,
    config::Profile,
    exchange::Exchange,
    suite::{Boxed, Entitlement, Session, Stop, ids::missing_like},
};

/// Prepares what the operation acts on, as the owner. With `true` it also creates what only a
/// persona that is allowed needs to find (an organization token to show or delete).
pub type Prepare = fn(Session, bool) -> Boxed<Result<Target, Stop>>;

/// Performs the operation on a target as a credential, recording the request under a step,
/// and remembers whatever it created for cleanup.
pub type Act = fn(Session, Target, Auth, String) -> Boxed<Exchange>;

/// One row of the matrix.
pub struct Row {
    /// The trial name's middle part.
    pub name: &'static str,
    /// The spec's operationId.
    pub operation: &'static str,
    pub profiles: &'static [Profile],
    /// Acting (or preparing the target) changes the organization or audit-trails token: the
    /// trials of personas that might do so need that token to themselves.
    pub destructive: bool,
    /// Per persona, in `Persona::ALL` order.
    pub expect: [Expect; 8],
    pub source: &'static str,
    pub prepare: Prepare,
    pub act: Act,
    /// A 404 where the row expects success means the organization lacks this entitlement.
    pub entitlement: Option<&'static Entitlement>,
}

impl Row {
    pub fn expect(&self, persona: Persona) -> Expect {
        let i = Persona::ALL
            .iter()
            .position(|p| *p == persona)
            .expect("every persona has a column");
        self.expect[i]
    }

    /// The name of the trial in which `persona` acts.
    pub fn trial(&self, persona: Persona) -> String {
        format!("authz::{}::{}", self.name, persona.name())
    }

    /// The name of the trial that compares an existing target with a missing one.
    pub fn leak_trial(&self) -> String {
        format!("leak::{}", self.name)
    }

    /// The step under which the trial of `persona` records the request the row is about (the
    /// other exchanges prepare the target and the persona): reports find the cell's answer by it.
    pub fn acting_step(&self, persona: Persona) -> String {
        format!("{} as {}", self.operation, persona.name())
    }
}

/// Which kind of identifier an operation names in its path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Key {
    /// The organization's name: a missing one is a name no one uses.
    #[default]
    Organization,
    /// A server-made id: a missing one has its shape (`missing_like`).
    Id,
}

/// What an operation acts on.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// The identifier the operation names in its path, which a missing target replaces.
    pub key: String,
    pub kind: Key,
    /// What else the operation needs (the team to search the list by, the token to delete
    /// in bulk).
    pub detail: String,
    /// The user token the list operations look for.
    pub listed: String,
}

impl Target {
    /// The organization of the run.
    pub fn organization(s: &Session) -> Target {
        Target {
            key: s.org().to_string(),
            kind: Key::Organization,
            ..Target::default()
        }
    }

    /// The thing with id `id`.
    pub fn id(id: impl Into<String>) -> Target {
        Target {
            key: id.into(),
            kind: Key::Id,
            ..Target::default()
        }
    }

    pub fn with_detail(self, detail: impl Into<String>) -> Target {
        Target {
            detail: detail.into(),
            ..self
        }
    }

    /// The same target with its key replaced by something that does not exist.
    pub(super) fn missing(&self, s: &Session) -> Target {
        let key = match self.kind {
            Key::Organization => s.unique_name("missing-org"),
            Key::Id => missing_like(&self.key),
        };
        Target {
            key,
            ..self.clone()
        }
    }
}

/// An act that sends one typed call as the persona: `act!(|s, c, t| c.get_team_token(&t.key))`
/// (`s` the session, `c` the persona's client, `t` the target); with `remembering KIND` what
/// the call created is remembered for cleanup.
macro_rules! act {
    (|$s:ident, $c:ident, $t:ident| $call:expr $(, remembering $kind:expr)?) => {
        |$s, $t, auth, step| {
            Box::pin(async move {
                let $c = $s.client(auth);
                let ex = $s.call(&step, $call).await;
                $($crate::suite::steps::remember_created(&$s, &ex, $kind);)?
                ex
            })
        }
    };
}
pub(crate) use act;

/// A preparation that is the same whether or not an allowed persona is to find the target:
/// `prepare!(|s| Target::id(fixtures::team(&s, "target").await?.id))`.
macro_rules! prepare {
    (|$s:ident| $target:expr) => {
        |$s, _| Box::pin(async move { Ok($target) })
    };
}
pub(crate) use prepare;

/// `GET /authentication-tokens/{id}` (team, user and agent tokens alike).
pub const READ_BY_ID: Act = act!(|s, c, t| c.get_authentication_token(&t.key));

/// `DELETE /authentication-tokens/{id}` (team, user and agent tokens alike).
pub const DELETE_BY_ID: Act = act!(|s, c, t| c.delete_authentication_token(&t.key));

//! Steps many trials share: request bodies as real clients send them, creating tokens and
//! teams leniently (a step a trial only depends on accepts any 2xx with a usable document, so
//! that a fault trips the trial that checks it and not every trial that happens to create
//! something), and trying a secret.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::Value;

use super::{Created, Session, Stop};
use crate::{checks::token::TokenView, client::types, exchange::Exchange, redact::Secret};

/// The body the API docs show for organization, audit-trails and legacy team tokens: singular
/// type, optional expiry.
pub fn docs_body(expired_at: Option<DateTime<Utc>>) -> types::TokenCreateRequest {
    types::TokenCreateRequest {
        data: types::TokenCreateRequestData {
            type_: "authentication-token".into(),
            attributes: expired_at.map(|t| types::TokenCreateAttributes {
                expired_at: Some(t),
            }),
        },
    }
}

/// The body for multi-team and user tokens: plural type, a description, optional expiry.
pub fn described_body(
    description: Option<&str>,
    expired_at: Option<DateTime<Utc>>,
) -> types::DescribedTokenCreateRequest {
    types::DescribedTokenCreateRequest {
        data: types::DescribedTokenCreateRequestData {
            type_: "authentication-tokens".into(),
            attributes: Some(types::DescribedTokenCreateAttributes {
                description: description.map(str::to_string),
                expired_at,
            }),
        },
    }
}

/// A moment `days` from now, whole seconds, so that any server can represent it.
pub fn future_instant(days: i64) -> DateTime<Utc> {
    (Utc::now() + Duration::days(days)).trunc_subsecs(0)
}

pub fn succeeded(ex: &Exchange) -> bool {
    ex.status().is_some_and(|st| (200..300).contains(&st))
}

/// A token the run created. The secret is only there if the server sent one; trials that need
/// it ask for it with `secret`, so that a missing secret fails only those.
pub struct Minted {
    pub id: String,
    pub secret: Option<Secret>,
    pub exchange: Exchange,
}

impl Minted {
    pub fn secret(&self, s: &Session) -> Result<Secret, Stop> {
        self.secret
            .clone()
            .ok_or_else(|| s.setup_failed(&self.exchange, "a created token with a secret"))
    }
}

/// Reads the token out of a create response, leniently; `created` says how to clean it up
/// (`None`: it goes with something else, such as its team).
pub fn minted(
    s: &Session,
    ex: Exchange,
    created: impl FnOnce(String) -> Option<Created>,
) -> Result<Minted, Stop> {
    let view = TokenView::of(&ex).filter(|_| succeeded(&ex));
    match view.as_ref().and_then(|v| v.id.clone()) {
        Some(id) => {
            if let Some(c) = created(id.clone()) {
                s.remember(c);
            }
            let secret = view.as_ref().and_then(|v| v.secret()).map(Secret::new);
            Ok(Minted {
                id,
                secret,
                exchange: ex,
            })
        }
        None => Err(s.setup_failed(&ex, "a created token (2xx with a token document)")),
    }
}

/// What a team token that authenticates may get from `GET /organizations/{org}`: 200, or 404
/// if the team may not see the organization (ref §5: a valid token never gets 401). Only a
/// revoked or unknown token gets 401.
pub const TEAM_AUTHENTICATED: &[u16] = &[200, 404];

/// If `ex` created a token, remembers it for cleanup (and records nothing either way).
pub fn remember_created(
    s: &Session,
    ex: &Exchange,
    created: impl FnOnce(String) -> Option<Created>,
) {
    if !succeeded(ex) {
        return;
    }
    if let Some(c) = TokenView::of(ex).and_then(|v| v.id).and_then(created) {
        s.remember(c);
    }
}

/// Whether `secret` authenticates: GET /organizations/{org} with it.
pub async fn try_secret(s: &Session, step: &str, secret: &Secret) -> Exchange {
    s.call(step, s.bearer(secret).get_organization(s.org()))
        .await
}

/// A team made for this trial (deleted with everything else the run made).
pub struct Team {
    pub id: String,
    pub name: String,
}

pub fn team_body(name: &str) -> types::TeamCreateRequest {
    types::TeamCreateRequest {
        data: types::TeamCreateRequestData {
            type_: "teams".into(),
            attributes: types::TeamCreateRequestDataAttributes { name: name.into() },
        },
    }
}

pub async fn team(s: &Session, what: &str) -> Result<Team, Stop> {
    let name = s.unique_name(what);
    let ex = s
        .call(
            &format!("create team {what}"),
            s.owner().create_team(s.org(), &team_body(&name)),
        )
        .await;
    let id = ex.json().filter(|_| succeeded(&ex)).and_then(|d| {
        d.pointer("/data/id")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    match id {
        Some(id) => {
            s.remember(Created::Team { id: id.clone() });
            Ok(Team { id, name })
        }
        None => Err(s.setup_failed(&ex, "a created team (2xx with an id)")),
    }
}

/// A fresh, never-issued id in the shape of a token id.
pub fn unknown_id(s: &Session) -> String {
    format!("at-tfecontract{}", s.ctx().run_tag)
}

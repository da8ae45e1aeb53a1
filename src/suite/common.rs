//! Steps many trials share: request bodies as real clients send them, creating tokens and
//! teams leniently (a step a trial only depends on accepts any 2xx with a usable document, so
//! that a fault trips the trial that checks it and not every trial that happens to create
//! something), and trying a secret.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::Value;

use super::{Created, Session, Stop};
use crate::{
    checks::{Finding, http, token::TokenView},
    client::types,
    exchange::Exchange,
    redact::Secret,
};

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

/// The `data.id` of a successful answer (what a create hands back).
pub fn succeeded_id(ex: &Exchange) -> Option<String> {
    ex.json()
        .filter(|_| succeeded(ex))?
        .pointer("/data/id")?
        .as_str()
        .map(str::to_string)
}

pub async fn team(s: &Session, what: &str) -> Result<Team, Stop> {
    let name = s.unique_name(what);
    let ex = s
        .call(
            &format!("create team {what}"),
            s.owner().create_team(s.org(), &team_body(&name)),
        )
        .await;
    match succeeded_id(&ex) {
        Some(id) => {
            s.remember(Created::Team { id: id.clone() });
            Ok(Team { id, name })
        }
        None => Err(s.setup_failed(&ex, "a created team (2xx with an id)")),
    }
}

/// An agent pool made for this trial (deleted, with its tokens, with everything else the run
/// made). Its name carries the run's tag, so that the final sweep finds it should its create
/// answer never arrive.
pub struct Pool {
    pub id: String,
    pub name: String,
}

/// What an agent-token trial that found no pool to work in fails with, once: the rule names
/// it in the run's summary.
pub const NO_AGENT_POOL: &str = "agent-pool";

/// Every page of a list, 100 items a page and at most 20 pages, following
/// `meta.pagination.next-page` (what go-tfe and pytfe read), so that other items of the
/// account cannot push the trial's own off the first page. `page(n)` asks for page `n`.
pub async fn every_page<F, Fut>(
    s: &Session,
    source: &str,
    mut page: F,
) -> Result<Vec<Exchange>, Stop>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Exchange>,
{
    let mut pages = Vec::new();
    for number in 1..=20 {
        let ex = page(number).await;
        s.gate(http::status(&ex, &[200], source))?;
        let next = ex
            .json()
            .and_then(|d| d.pointer("/meta/pagination/next-page"))
            .is_some_and(|n| !n.is_null());
        pages.push(ex);
        if !next {
            break;
        }
    }
    Ok(pages)
}

/// What a trial that could not make an audit-trails token fails with, once: the rule names it
/// in the run's summary.
pub const NO_AUDIT_TRAILS: &str = "audit-trails";

/// For each rule a trial fails with for want of an entitlement of the target, the line the
/// run's summary prints when some did (`{count}`: how many).
pub const ENTITLEMENTS: &[(&str, &str)] = &[
    (
        NO_AGENT_POOL,
        "{count} agent-token trial(s) failed because no agent pool could be made (POST /organizations/{org}/agent-pools answered 404: the organization has no agents entitlement, the token may not manage agent pools, or the server has none); leave them out with --skip agent_token",
    ),
    (
        NO_AUDIT_TRAILS,
        "{count} trial(s) failed because the audit-trails token could not be made (POST /organizations/{org}/authentication-token?token=audit-trails answered 404: the organization has no audit-trails entitlement, the token may not manage it, or the server has none); leave them out with --skip audit_token --skip audit_trails",
    ),
];

/// The owner's audit-trails token create answered 404: what an organization without the
/// audit-trails entitlement answers (ref §5: audit-trails tokens need a paid entitlement, 404
/// without it). The trial fails with this one finding, which says so and how to leave the
/// audit-trails trials out, rather than with whatever the missing token would make of the
/// rest of it.
pub fn no_audit_trails(s: &Session, ex: &Exchange) -> Stop {
    s.check([Finding::new(
        NO_AUDIT_TRAILS,
        ex,
        "an audit-trails token (201)",
        "404: the organization has no audit-trails entitlement (HCP Terraform's paid plans), \
         the token may not manage it, or the server has no audit-trails token; nothing about \
         it can be checked here. Leave these trials out with --skip audit_token --skip \
         audit_trails",
    )
    .source("audit-trails tokens need the entitlement, 404 without it (ref §5)")]);
    Stop
}

/// The owner creates the audit-trails token; a 404 is the missing entitlement
/// (`no_audit_trails`).
pub async fn create_audit_trails_token(s: &Session, step: &str) -> Result<Exchange, Stop> {
    let ex = s
        .call(
            step,
            s.owner().create_organization_token(
                s.org(),
                Some(types::CreateOrganizationTokenToken::AuditTrails),
                &docs_body(None),
            ),
        )
        .await;
    if ex.status() == Some(404) {
        return Err(no_audit_trails(s, &ex));
    }
    Ok(ex)
}

/// The body the agents API docs show for a new pool: type, name (organization-scoped stays
/// the default).
pub fn agent_pool_body(name: &str) -> types::AgentPoolCreateRequest {
    types::AgentPoolCreateRequest {
        data: types::AgentPoolCreateRequestData {
            type_: "agent-pools".into(),
            attributes: types::AgentPoolCreateRequestDataAttributes {
                name: name.into(),
                organization_scoped: None,
            },
        },
    }
}

/// The body the agent-tokens docs show: type authentication-tokens and a description.
pub fn agent_token_body(description: &str) -> types::AgentTokenCreateRequest {
    types::AgentTokenCreateRequest {
        data: types::AgentTokenCreateRequestData {
            type_: "authentication-tokens".into(),
            attributes: types::AgentTokenCreateRequestDataAttributes {
                description: description.into(),
            },
        },
    }
}

/// A new agent pool for this trial. A 404 is what an organization without the agents
/// entitlement answers (ref §1 #14): every agent-token trial needs a pool, so each then fails
/// with this one finding, which says so and how to leave the agent-token trials out, rather
/// than with whatever its first request for a pool that is not there would have shown.
pub async fn agent_pool(s: &Session, what: &str) -> Result<Pool, Stop> {
    let name = s.unique_name(what);
    let ex = s
        .call(
            &format!("create agent pool {what}"),
            s.owner()
                .create_agent_pool(s.org(), &agent_pool_body(&name)),
        )
        .await;
    if ex.status() == Some(404) {
        s.check([Finding::new(
            NO_AGENT_POOL,
            &ex,
            "an agent pool to hold agent tokens (201, or 200)",
            "404: the organization has no agents entitlement (agent pools need it), the token \
             may not manage agent pools, or the server has no agent pools at all; no agent \
             token can be checked here. Leave the agent-token trials out with --skip \
             agent_token",
        )
        .source(
            "agents API docs (Create an Agent Pool: 404); agents are an entitlement of \
                 the organization (ref §1 #14)",
        )]);
        return Err(Stop);
    }
    match succeeded_id(&ex) {
        Some(id) => {
            s.remember(Created::AgentPool { id: id.clone() });
            Ok(Pool { id, name })
        }
        None => Err(s.setup_failed(&ex, "a created agent pool (2xx with an id)")),
    }
}

/// An id shaped like `real` that names nothing: the same prefix (up to its last `-`), the same
/// length, and at every position a character of the same kind (digit, lower-case or
/// upper-case letter), drawn from the narrowest alphabet the value part fits (hexadecimal,
/// base58, or letters and digits); other characters stay where they are. A server that parses
/// its ids (OTF: a prefix and 16 base58 characters, a malformed one is a 500) must answer such
/// an id as a missing one, not as a malformed one (ref §7), so unknown-id and leak trials
/// measure what they mean to. A numeric id keeps its first digit non-zero. Ids are random: with
/// the alphabets real servers use, a collision with an existing id is negligible unless the
/// value part is only a few characters long.
pub fn missing_like(real: &str) -> String {
    let (prefix, value) = match real.rfind('-') {
        Some(at) if at + 1 < real.len() => real.split_at(at + 1),
        _ => ("", real),
    };
    let alphabet = Alphabet::of(value);
    let mut rng = rand::rng();
    // The first letter or digit always changes: servers that number their ids in sequence
    // hand out neighbours, which share it, so the made-up id stays clear of them.
    let first = value.find(|c: char| c.is_ascii_alphanumeric());
    for _ in 0..64 {
        let candidate: String = value
            .char_indices()
            .map(|(i, c)| alphabet.replace(c, i == 0, &mut rng))
            .collect();
        let moved = first.is_none_or(|at| candidate.as_bytes()[at] != value.as_bytes()[at]);
        if candidate != value && moved {
            return format!("{prefix}{candidate}");
        }
    }
    // Only a value with no letter or digit to vary (or a one-character one) gets here.
    format!("{prefix}{value}0")
}

/// The characters an id's value part is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alphabet {
    /// `0-9a-f` (or upper case): UUIDs, hashes.
    Hex,
    /// Bitcoin's base58: no `0`, `O`, `I`, `l` (OTF, TFE's `at-`, `team-`, `user-` ids).
    Base58,
    Alphanumeric,
}

impl Alphabet {
    fn of(value: &str) -> Alphabet {
        let lower_hex = value
            .chars()
            .all(|c| !c.is_ascii_alphanumeric() || c.is_ascii_digit() || ('a'..='f').contains(&c));
        let upper_hex = value
            .chars()
            .all(|c| !c.is_ascii_alphanumeric() || c.is_ascii_digit() || ('A'..='F').contains(&c));
        let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
        if has_letter && (lower_hex || upper_hex) {
            Alphabet::Hex
        } else if value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .all(|c| !matches!(c, '0' | 'O' | 'I' | 'l'))
        {
            Alphabet::Base58
        } else {
            Alphabet::Alphanumeric
        }
    }

    /// A random character of the same kind as `c` (`c` itself if it is no letter or digit).
    fn replace(self, c: char, first: bool, rng: &mut impl rand::Rng) -> char {
        let pool: &[u8] = match (self, c) {
            (Alphabet::Hex, '0'..='9') | (Alphabet::Alphanumeric, '0'..='9') => {
                if first {
                    b"123456789"
                } else {
                    b"0123456789"
                }
            }
            (Alphabet::Hex, 'a'..='f') => b"abcdef",
            (Alphabet::Hex, 'A'..='F') => b"ABCDEF",
            (Alphabet::Base58, '0'..='9') => b"123456789",
            (Alphabet::Base58, 'a'..='z') => b"abcdefghijkmnopqrstuvwxyz",
            (Alphabet::Base58, 'A'..='Z') => b"ABCDEFGHJKLMNPQRSTUVWXYZ",
            (_, 'a'..='z') => b"abcdefghijklmnopqrstuvwxyz",
            (_, 'A'..='Z') => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            _ => return c,
        };
        char::from(pool[rng.random_range(0..pool.len())])
    }
}

/// The id of the organization's owners team (every organization has one).
pub async fn owners_team(s: &Session) -> Result<String, Stop> {
    let ex = s
        .call(
            "find the owners team",
            s.owner().list_teams(s.org(), Some("owners"), None),
        )
        .await;
    let id = ex.json().and_then(|doc| {
        doc.get("data")?
            .as_array()?
            .iter()
            .find(|t| t.pointer("/attributes/name").and_then(Value::as_str) == Some("owners"))?
            .get("id")?
            .as_str()
            .map(str::to_string)
    });
    id.ok_or_else(|| s.setup_failed(&ex, "the owners team (GET /organizations/{org}/teams)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_shape(real: &str) {
        let made = missing_like(real);
        assert_ne!(made, real);
        assert_eq!(made.len(), real.len(), "{real} -> {made}");
        let prefix = real.rfind('-').map_or("", |at| &real[..=at]);
        assert!(made.starts_with(prefix), "{real} -> {made}");
        for (a, b) in real.chars().zip(made.chars()) {
            assert_eq!(a.is_ascii_digit(), b.is_ascii_digit(), "{real} -> {made}");
            assert_eq!(
                a.is_ascii_lowercase(),
                b.is_ascii_lowercase(),
                "{real} -> {made}"
            );
            assert_eq!(
                a.is_ascii_uppercase(),
                b.is_ascii_uppercase(),
                "{real} -> {made}"
            );
            if !a.is_ascii_alphanumeric() {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn missing_ids_keep_the_shape_of_real_ones() {
        for real in [
            "at-6yEmxNAhaoQLH1Da",
            "team-Y7RyjccPVBKVEdp7",
            "user-62goNpx1ThQf689e",
            "4111756",
            "ot-abcdefghijk12345",
            "9f1c2a4e-3b7d-4c1e-9a2b-0c3d4e5f6a7b",
            "tok_0a1B",
            "7",
        ] {
            for _ in 0..50 {
                same_shape(real);
            }
        }
    }

    #[test]
    fn base58_and_numeric_ids_stay_in_their_alphabet() {
        for _ in 0..200 {
            let made = missing_like("tt-Y7RyjccPVBKVEdp7");
            assert!(
                made[3..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() && !"0OIl".contains(c)),
                "{made}"
            );
            let number = missing_like("4111756");
            assert!(
                !number.starts_with('0') && !number.starts_with('4'),
                "{number}"
            );
            let hex = missing_like("deadbeef0042");
            assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{hex}");
        }
    }
}

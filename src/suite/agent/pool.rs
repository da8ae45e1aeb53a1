//! Agent pools, which hold agent tokens: the bodies the docs show for a pool and a token, and
//! a pool made for a trial. Pools need the organization's agents entitlement.

use crate::suite::prelude::*;

use super::cleanup::POOL;

/// An agent pool made for this trial (deleted, with its tokens, with everything else the run
/// made). Its name carries the run's tag, so that the final sweep finds it should its create
/// answer never arrive.
pub struct Pool {
    pub id: String,
    pub name: String,
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

/// Creating an agent pool answered 404: what an organization without the agents entitlement
/// answers (ref §1 #14). Every agent-token trial needs a pool, so each then fails with this
/// one finding rather than with whatever its first request for a pool that is not there
/// would have shown.
pub static NO_AGENT_POOL: Entitlement = Entitlement {
    rule: "agent-pool",
    needed: "an agent pool to hold agent tokens (201, or 200)",
    meaning: "404: the organization has no agents entitlement (agent pools need it), the token \
              may not manage agent pools, or the server has no agent pools at all; no agent \
              token can be checked here. Leave the agent-token trials out with --skip \
              agent_token",
    source: "agents API docs (Create an Agent Pool: 404); agents are an entitlement of the \
             organization (ref §1 #14)",
    summary: "{count} agent-token trial(s) failed because no agent pool could be made (POST \
              /organizations/{org}/agent-pools answered 404: the organization has no agents \
              entitlement, the token may not manage agent pools, or the server has none); \
              leave them out with --skip agent_token",
};

/// A new agent pool for this trial; a 404 is the missing entitlement (`NO_AGENT_POOL`).
pub async fn agent_pool(s: &Session, what: &str) -> Result<Pool, Stop> {
    let name = s.unique_name(what);
    let body = agent_pool_body(&name);
    let ex = by_setup!(s, &format!("create agent pool {what}"), |c| c
        .create_agent_pool(s.org(), &body));
    if ex.status() == Some(404) {
        return Err(NO_AGENT_POOL.lacking(s, &ex));
    }
    match succeeded_id(&ex) {
        Some(id) => {
            s.remember(POOL.made(id.clone()));
            Ok(Pool { id, name })
        }
        None => Err(s.setup_failed(&ex, "a created agent pool (2xx with an id)")),
    }
}

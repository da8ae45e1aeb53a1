//! Agent tokens in the authorization matrix. Who may manage a pool's agent tokens: the
//! agent-tokens docs answer 404 "Agent Pool not found, or user unauthorized" to anyone else;
//! organization permissions docs: owners and teams with "Manage agent pools"; api-tokens docs:
//! an owners-team token has an owner's permissions, and an organization token may use every
//! endpoint whose page carries no note barring it (the agent-tokens page has none). A team
//! without permissions: 404.

use super::{
    cleanup::TOKEN,
    pool::{agent_pool, agent_token_body},
};
use crate::suite::prelude::*;

const AGENT_TOKENS: &str = "agent-tokens docs (404 for a user unauthorized); organization \
                            permissions docs (owners, Manage agent pools); api-tokens docs \
                            (owners-team and organization tokens); ref §1 #14, §5";

pub const ROWS: &[Row] = &[
    Row {
        name: "create_agent_token",
        operation: "createAgentToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[201]),
        source: AGENT_TOKENS,
        prepare: prepare!(|s| Target::id(agent_pool(&s, "target").await?.id)),
        act: act!(
            |s, c, t| c.create_agent_token(&t.key, &agent_token_body("persona-made")),
            remembering & TOKEN
        ),
        entitlement: None,
    },
    Row {
        name: "list_agent_tokens",
        operation: "listAgentTokens",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: AGENT_TOKENS,
        prepare: prepare!(|s| Target::id(agent_pool(&s, "target").await?.id)),
        act: act!(|s, c, t| c.list_agent_tokens(&t.key, None, None, None)),
        entitlement: None,
    },
    Row {
        name: "show_agent_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: AGENT_TOKENS,
        prepare: prepare!(|s| pool_with_token(&s).await?),
        act: READ_BY_ID,
        entitlement: None,
    },
    Row {
        name: "delete_agent_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[204]),
        source: AGENT_TOKENS,
        prepare: prepare!(|s| pool_with_token(&s).await?),
        act: DELETE_BY_ID,
        entitlement: None,
    },
];

/// A pool of the trial's with one of its tokens: the token.
async fn pool_with_token(s: &Session) -> Result<Target, Stop> {
    let pool = agent_pool(s, "target").await?;
    let ex = by_setup!(s, "target: create an agent token", |c| c
        .create_agent_token(&pool.id, &agent_token_body("target")));
    Ok(Target::id(steps::minted(s, ex, Some(&TOKEN))?.id))
}

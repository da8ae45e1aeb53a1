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
use crate::suite::{
    CURRENT,
    authz::{Row, Target, delete_by_id, owners_only, read_by_id},
    steps::{minted, remember_created},
};

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
        prepare: |s, _| Box::pin(async move { Ok(Target::id(agent_pool(&s, "target").await?.id)) }),
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                let body = agent_token_body("persona-made");
                let ex = s.call(&step, c.create_agent_token(&t.key, &body)).await;
                remember_created(&s, &ex, &TOKEN);
                ex
            })
        },
        entitlement: None,
    },
    Row {
        name: "list_agent_tokens",
        operation: "listAgentTokens",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: AGENT_TOKENS,
        prepare: |s, _| Box::pin(async move { Ok(Target::id(agent_pool(&s, "target").await?.id)) }),
        act: |s, t, auth, step| {
            Box::pin(async move {
                let c = s.client(auth);
                s.call(&step, c.list_agent_tokens(&t.key, None, None, None))
                    .await
            })
        },
        entitlement: None,
    },
    Row {
        name: "show_agent_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: AGENT_TOKENS,
        prepare: |s, _| Box::pin(async move { pool_with_token(&s).await }),
        act: read_by_id,
        entitlement: None,
    },
    Row {
        name: "delete_agent_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[204]),
        source: AGENT_TOKENS,
        prepare: |s, _| Box::pin(async move { pool_with_token(&s).await }),
        act: delete_by_id,
        entitlement: None,
    },
];

/// A pool of the trial's with one of its tokens: the token.
async fn pool_with_token(s: &crate::suite::Session) -> Result<Target, crate::suite::Stop> {
    let pool = agent_pool(s, "target").await?;
    let ex = s
        .call(
            "target: create an agent token",
            s.owner()
                .create_agent_token(&pool.id, &agent_token_body("target")),
        )
        .await;
    Ok(Target::id(minted(s, ex, Some(&TOKEN))?.id))
}

//! Agent pools and their tokens in the conformance tour, with their error statuses. Without
//! the agents entitlement the pool is a 404 and the rest is left out (the agent-token trials
//! say why).

use super::{
    cleanup::{POOL, TOKEN},
    pool::{agent_pool_body, agent_token_body},
};
use crate::suite::prelude::*;

pub fn tour(s: Session) -> Boxed<()> {
    Box::pin(async move { pool_and_tokens(&s).await })
}

async fn pool_and_tokens(s: &Session) {
    let owner = s.owner();
    let anon = s.client(Auth::None);
    let org = s.org();
    let name = s.unique_name("tour-agents");
    let body = agent_pool_body(&name);
    s.call(
        "create an agent pool without a token",
        anon.create_agent_pool(org, &body),
    )
    .await;
    let missing_org = s.unique_name("missing-org");
    s.call(
        "create an agent pool in an unknown organization",
        owner.create_agent_pool(&missing_org, &body),
    )
    .await;
    let org_params = [("organization_name", org)];
    send_body(
        s,
        "create an agent pool with a truncated body",
        "createAgentPool",
        &org_params,
        r#"{"data":{"type":"agent-pools","attributes":"#,
    )
    .await;
    without_content_type(
        s,
        "create an agent pool without Content-Type",
        "createAgentPool",
        &org_params,
        Some(&serde_json::to_string(&body).unwrap_or_default()),
    )
    .await;
    let created = s
        .call("create an agent pool", owner.create_agent_pool(org, &body))
        .await;
    let Some(pool) = created
        .json()
        .filter(|_| succeeded(&created))
        .and_then(|d| d.pointer("/data/id")?.as_str().map(str::to_string))
    else {
        return;
    };
    s.remember(POOL.made(pool.clone()));
    s.call(
        "create an agent pool with a name already taken",
        owner.create_agent_pool(org, &body),
    )
    .await;
    s.call(
        "list the agent pools",
        owner.list_agent_pools(org, None, None, Some(&name)),
    )
    .await;
    s.call("show the agent pool", owner.get_agent_pool(&pool))
        .await;
    let pool_params = [("agent_pool_id", pool.as_str())];
    send_body(
        s,
        "create an agent token with a truncated body",
        "createAgentToken",
        &pool_params,
        r#"{"data":{"type":"authentication-tokens","#,
    )
    .await;
    without_content_type(
        s,
        "create an agent token without Content-Type",
        "createAgentToken",
        &pool_params,
        Some(r#"{"data":{"type":"authentication-tokens","attributes":{"description":"x"}}}"#),
    )
    .await;
    let token = s
        .call(
            "create an agent token",
            owner.create_agent_token(&pool, &agent_token_body("tour")),
        )
        .await;
    s.call(
        "list the pool's agent tokens",
        owner.list_agent_tokens(&pool, None, None, None),
    )
    .await;
    s.call(
        "list the pool's agent tokens without a token",
        anon.list_agent_tokens(&pool, None, None, None),
    )
    .await;
    if let Some(id) = TokenView::of(&token).and_then(|v| v.id) {
        s.remember(TOKEN.made(id.clone()));
        s.call("show the agent token", owner.get_authentication_token(&id))
            .await;
        let deleted = s
            .call(
                "delete the agent token",
                owner.delete_authentication_token(&id),
            )
            .await;
        if deleted.status() == Some(204) {
            s.ctx().forget(&TOKEN.made(id));
        }
    }
    without_content_type(
        s,
        "delete the agent pool without Content-Type",
        "deleteAgentPool",
        &pool_params,
        None,
    )
    .await;
    s.call(
        "delete the agent pool without a token",
        anon.delete_agent_pool(&pool),
    )
    .await;
    let deleted = s
        .call("delete the agent pool", owner.delete_agent_pool(&pool))
        .await;
    s.call("show the deleted agent pool", owner.get_agent_pool(&pool))
        .await;
    s.call(
        "show an agent pool without a token",
        anon.get_agent_pool(&pool),
    )
    .await;
    if deleted.status() == Some(204) {
        s.ctx().forget(&POOL.made(pool));
    }
}

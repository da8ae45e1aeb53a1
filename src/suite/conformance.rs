//! Rules every response must keep, whatever the operation: the JSON:API document rules and the
//! spec's statuses and schemas. They judge every exchange of the run (so they wait for the
//! other trials to finish) plus a tour that visits every operation of the spec and, where it
//! can safely provoke it, every documented status, so that they judge something even when run
//! alone. The tour runs once per run; its organization-token part runs only where destructive
//! trials may.

use std::sync::Arc;

use super::{
    CheckDef, Created, RunContext, Session, Stop,
    common::{self, team_body},
};
use crate::{
    checks::{Finding, jsonapi, schema, token::TokenView},
    client::Auth,
    exchange::Exchange,
    redact::Secret,
    spec::Spec,
};

/// A rule every exchange must keep.
pub type Rule = fn(&Spec, &Exchange) -> Vec<Finding>;

/// The whole-run checks: name, summary, rule. Every other trial's exchanges are judged as the
/// trial ends (`RunContext::trial_finished`); the check itself judges the tour and gathers.
pub const RULES: [(&str, &str, Rule); 6] = [
    (
        "jsonapi::media_type",
        "every response with a body is application/vnd.api+json",
        |_, ex| jsonapi::media_type(ex).into_iter().collect(),
    ),
    (
        "jsonapi::data_xor_errors",
        "every document has data or errors at the top level, never both",
        |_, ex| jsonapi::data_xor_errors(ex).into_iter().collect(),
    ),
    (
        "jsonapi::error_status_matches",
        "errors[].status equals the HTTP status (string or number)",
        |_, ex| jsonapi::error_status_matches(ex),
    ),
    (
        "jsonapi::timestamps_utc",
        "timestamps are RFC 3339 in UTC ending in Z",
        |_, ex| jsonapi::timestamps_utc(ex),
    ),
    (
        "schema::status_documented",
        "every status is one the spec documents for the operation",
        |spec, ex| schema::status_documented(spec, ex).into_iter().collect(),
    ),
    (
        "schema::body_matches_schema",
        "every body is valid against the spec's schema for its status (or empty where none)",
        schema::body_matches,
    ),
];

pub fn checks() -> Vec<CheckDef> {
    RULES
        .iter()
        .map(|&(name, summary, rule)| {
            CheckDef::new(name, summary, move |s| judge(s, name, rule)).whole_run()
        })
        .collect()
}

async fn judge(s: Session, name: &'static str, rule: Rule) -> Result<(), Stop> {
    let tour = tour(&s).await;
    s.check(s.ctx().judged(name).await);
    for ex in tour.iter() {
        s.check(rule(s.spec(), ex));
    }
    // A rule over responses holds vacuously when nothing answered: that is no pass. The tour
    // visits every operation, so a server that answers at all answers some of it (`/ping`,
    // which even a stalled server may answer, does not count).
    if !tour
        .iter()
        .any(|ex| ex.operation != "ping" && ex.response().is_some())
    {
        let finding = match tour.first() {
            Some(ex) => Finding::no_response(ex),
            None => Finding::general("transport", "answers to judge", "no request was answered"),
        };
        s.check([finding.source("nothing to judge: no request of the tour got an answer")]);
    }
    Ok(())
}

/// The tour's exchanges, made on first use.
async fn tour(s: &Session) -> Arc<Vec<Exchange>> {
    start_tour(s.ctx().clone()).await
}

/// Runs the tour (once per run) and returns its exchanges. The runner starts it beside the
/// trials when a whole-run check is to run, so that it is not left for the end.
pub async fn start_tour(ctx: Arc<RunContext>) -> Arc<Vec<Exchange>> {
    ctx.tour.get_or_init(|| run_tour(ctx.clone())).await.clone()
}

async fn run_tour(ctx: Arc<RunContext>) -> Arc<Vec<Exchange>> {
    let s = Session::new(ctx.clone());
    fixtures(&s).await;
    team_and_user_tokens(&s).await;
    if ctx.profile.has_later_token_routes() {
        agent_tokens(&s).await;
    }
    if ctx.destructive_allowed {
        let _exclusive = ctx.lock_org_token().await;
        organization_token(&s).await;
    } else {
        let missing = s.unique_name("missing-org");
        s.call(
            "read the organization token",
            s.owner().get_organization_token(s.org(), None),
        )
        .await;
        s.call(
            "read in an unknown organization",
            s.owner().get_organization_token(&missing, None),
        )
        .await;
    }
    // What the tour created goes now, like a trial's (recorded with the run's housekeeping).
    let released = ctx.release(s.take_created()).await;
    ctx.housekeeping(released);
    Arc::new(s.exchanges())
}

async fn fixtures(s: &Session) {
    let owner = s.owner();
    let anon = s.client(Auth::None);
    let org = s.org();
    s.call("ping", anon.ping()).await;
    s.call("account details", owner.get_account_details()).await;
    s.call(
        "account details without a token",
        anon.get_account_details(),
    )
    .await;
    s.call("show the organization", owner.get_organization(org))
        .await;
    s.call(
        "show the organization without a token",
        anon.get_organization(org),
    )
    .await;
    let missing = s.unique_name("missing-org");
    s.call(
        "show an unknown organization",
        owner.get_organization(&missing),
    )
    .await;
    s.call("list teams", owner.list_teams(org, None, None))
        .await;

    let name = s.unique_name("tour");
    let body = team_body(&name);
    let created = s.call("create a team", owner.create_team(org, &body)).await;
    let team_id = created
        .json()
        .and_then(|d| d.pointer("/data/id")?.as_str().map(str::to_string));
    if let Some(id) = &team_id {
        s.remember(Created::Team { id: id.clone() });
    }
    s.call(
        "create a team with a name already taken",
        owner.create_team(org, &body),
    )
    .await;
    s.raw(
        "create a team with a truncated body",
        Auth::Bearer(s.ctx().owner.clone()),
        "createTeam",
        &[("organization_name", org)],
    )
    .body(r#"{"data":{"type":"teams","attributes":"#)
    .send()
    .await;
    s.raw(
        "create a team without Content-Type",
        Auth::Bearer(s.ctx().owner.clone()),
        "createTeam",
        &[("organization_name", org)],
    )
    .content_type(None)
    .body(serde_json::to_vec(&body).unwrap_or_default())
    .send()
    .await;
    s.call(
        "list teams without a token",
        anon.list_teams(org, None, None),
    )
    .await;
    if let Some(id) = team_id {
        s.call("show the team", owner.get_team(&id)).await;
        s.raw(
            "delete the team without Content-Type",
            Auth::Bearer(s.ctx().owner.clone()),
            "deleteTeam",
            &[("team_id", &id)],
        )
        .content_type(None)
        .send()
        .await;
        let deleted = s.call("delete the team", owner.delete_team(&id)).await;
        s.call("show the deleted team", owner.get_team(&id)).await;
        s.call("delete the team again", owner.delete_team(&id))
            .await;
        s.call("show a team without a token", anon.get_team(&id))
            .await;
        if deleted.status() == Some(204) {
            s.ctx().forget(&Created::Team { id });
        }
    }
}

/// The error statuses of the team and user token operations: a body that is not JSON, no
/// Content-Type, a document that cannot be accepted, a caller that is not a user. Everything
/// it makes belongs to one team (and one user token), which the run deletes.
async fn team_and_user_tokens(s: &Session) {
    let owner = s.owner();
    let anon = s.client(Auth::None);
    let org = s.org();
    let bearer = Auth::Bearer(s.ctx().owner.clone());
    let truncated = r#"{"data":{"type":"authentication-tokens","#;
    let name = s.unique_name("tour-tokens");
    let missing_org = s.unique_name("missing-org");
    s.call(
        "create a team without a token",
        anon.create_team(org, &team_body(&name)),
    )
    .await;
    s.call(
        "create a team in an unknown organization",
        owner.create_team(&missing_org, &team_body(&name)),
    )
    .await;
    s.call(
        "list the teams of an unknown organization",
        owner.list_teams(&missing_org, None, None),
    )
    .await;
    let Ok(team) = common::team(s, "tour-tokens").await else {
        return;
    };
    let team_params = [("team_id", team.id.as_str())];
    s.call(
        "delete the team without a token",
        anon.delete_team(&team.id),
    )
    .await;
    let ex = s
        .call(
            "create the team's token",
            owner.create_team_token(&team.id, &common::docs_body(None)),
        )
        .await;
    if let Some(secret) = TokenView::of(&ex).and_then(|v| v.secret().map(Secret::new)) {
        // A team's token is not a user: no account details.
        s.call(
            "account details as a team",
            s.bearer(&secret).get_account_details(),
        )
        .await;
    }
    s.raw(
        "create the team's token with a truncated body",
        bearer.clone(),
        "createTeamToken",
        &team_params,
    )
    .body(truncated)
    .send()
    .await;
    s.raw(
        "create the team's token without Content-Type",
        bearer.clone(),
        "createTeamToken",
        &team_params,
    )
    .content_type(None)
    .send()
    .await;
    s.raw(
        "delete the team's token without Content-Type",
        bearer.clone(),
        "deleteTeamToken",
        &team_params,
    )
    .content_type(None)
    .send()
    .await;
    if !s.profile().has_later_token_routes() {
        return;
    }
    for (step, op) in [
        ("a team token", "createTeamAuthenticationToken"),
        ("a user token", "createUserToken"),
    ] {
        let user = user_id(s).await;
        let params: Vec<(&str, &str)> = if op == "createUserToken" {
            vec![("user_id", user.as_deref().unwrap_or("unknown"))]
        } else {
            team_params.to_vec()
        };
        s.raw(
            &format!("create {step} with a truncated body"),
            bearer.clone(),
            op,
            &params,
        )
        .body(truncated)
        .send()
        .await;
        s.raw(
            &format!("create {step} without Content-Type"),
            bearer.clone(),
            op,
            &params,
        )
        .content_type(None)
        .body(r#"{"data":{"type":"authentication-tokens"}}"#)
        .send()
        .await;
        let past = chrono::Utc::now() - chrono::Duration::days(1);
        let past = past.format("%Y-%m-%dT%H:%M:%SZ");
        s.raw(&format!("create {step} expiring in the past"), bearer.clone(), op, &params)
            .body(format!(
                r#"{{"data":{{"type":"authentication-tokens","attributes":{{"expired-at":"{past}"}}}}}}"#
            ))
            .send()
            .await;
    }
    let ex = s
        .call(
            "create a token of the team",
            owner.create_team_authentication_token(
                &team.id,
                &common::described_body(Some("tour"), None),
            ),
        )
        .await;
    let token_id = TokenView::of(&ex).and_then(|v| v.id);
    if let Some(id) = &token_id {
        s.raw(
            "delete it without Content-Type",
            bearer.clone(),
            "deleteAuthenticationToken",
            &[("token_id", id)],
        )
        .content_type(None)
        .send()
        .await;
    }
    // Bulk delete is HCP Terraform's alone.
    if s.profile() != crate::config::Profile::Hcp {
        return;
    }
    let org_params = [("organization_name", org)];
    s.raw(
        "bulk delete with a truncated body",
        bearer.clone(),
        "deleteTeamTokens",
        &org_params,
    )
    .body(truncated)
    .send()
    .await;
    s.raw(
        "bulk delete without Content-Type",
        bearer.clone(),
        "deleteTeamTokens",
        &org_params,
    )
    .content_type(None)
    .body(r#"{"data":[]}"#)
    .send()
    .await;
    s.raw(
        "bulk delete of nothing",
        bearer.clone(),
        "deleteTeamTokens",
        &org_params,
    )
    .body(r#"{"data":[]}"#)
    .send()
    .await;
    if let Some(id) = &token_id {
        let unknown = common::missing_like(id);
        s.raw(
            "bulk delete of an unknown token",
            bearer,
            "deleteTeamTokens",
            &org_params,
        )
        .body(
            serde_json::json!({"data": [{"type": "authentication-tokens", "id": unknown}]})
                .to_string(),
        )
        .send()
        .await;
    }
}

/// The agent pool fixtures and a pool's tokens, and their error statuses. Without the agents
/// entitlement the pool is a 404 and the rest is left out (the agent-token trials say why).
async fn agent_tokens(s: &Session) {
    let owner = s.owner();
    let anon = s.client(Auth::None);
    let org = s.org();
    let bearer = Auth::Bearer(s.ctx().owner.clone());
    let name = s.unique_name("tour-agents");
    let body = common::agent_pool_body(&name);
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
    s.raw(
        "create an agent pool with a truncated body",
        bearer.clone(),
        "createAgentPool",
        &org_params,
    )
    .body(r#"{"data":{"type":"agent-pools","attributes":"#)
    .send()
    .await;
    s.raw(
        "create an agent pool without Content-Type",
        bearer.clone(),
        "createAgentPool",
        &org_params,
    )
    .content_type(None)
    .body(serde_json::to_vec(&body).unwrap_or_default())
    .send()
    .await;
    let created = s
        .call("create an agent pool", owner.create_agent_pool(org, &body))
        .await;
    let Some(pool) = created
        .json()
        .filter(|_| common::succeeded(&created))
        .and_then(|d| d.pointer("/data/id")?.as_str().map(str::to_string))
    else {
        return;
    };
    s.remember(Created::AgentPool { id: pool.clone() });
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
    s.raw(
        "create an agent token with a truncated body",
        bearer.clone(),
        "createAgentToken",
        &pool_params,
    )
    .body(r#"{"data":{"type":"authentication-tokens","#)
    .send()
    .await;
    s.raw(
        "create an agent token without Content-Type",
        bearer.clone(),
        "createAgentToken",
        &pool_params,
    )
    .content_type(None)
    .body(r#"{"data":{"type":"authentication-tokens","attributes":{"description":"x"}}}"#)
    .send()
    .await;
    let token = s
        .call(
            "create an agent token",
            owner.create_agent_token(&pool, &common::agent_token_body("tour")),
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
        s.remember(Created::AgentToken { id: id.clone() });
        s.call("show the agent token", owner.get_authentication_token(&id))
            .await;
        let deleted = s
            .call(
                "delete the agent token",
                owner.delete_authentication_token(&id),
            )
            .await;
        if deleted.status() == Some(204) {
            s.ctx().forget(&Created::AgentToken { id });
        }
    }
    s.raw(
        "delete the agent pool without Content-Type",
        bearer,
        "deleteAgentPool",
        &pool_params,
    )
    .content_type(None)
    .send()
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
        s.ctx().forget(&Created::AgentPool { id: pool });
    }
}

async fn user_id(s: &Session) -> Option<String> {
    let ex = s
        .call("account details", s.owner().get_account_details())
        .await;
    ex.json()?.pointer("/data/id")?.as_str().map(str::to_string)
}

async fn organization_token(s: &Session) {
    let owner = s.owner();
    let anon = s.client(Auth::None);
    let org = s.org();
    let missing = s.unique_name("missing-org");
    let body = common::docs_body(None);
    let created = s
        .call("create", owner.create_organization_token(org, None, &body))
        .await;
    if let Some(id) = TokenView::of(&created).and_then(|v| v.id) {
        s.remember(Created::OrganizationToken { id });
    }
    s.call("read", owner.get_organization_token(org, None))
        .await;
    s.call(
        "create without a token",
        anon.create_organization_token(org, None, &body),
    )
    .await;
    s.call(
        "read without a token",
        anon.get_organization_token(org, None),
    )
    .await;
    s.call(
        "create in an unknown organization",
        owner.create_organization_token(&missing, None, &body),
    )
    .await;
    s.call(
        "read in an unknown organization",
        owner.get_organization_token(&missing, None),
    )
    .await;
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    s.call(
        "create with expired-at in the past",
        owner.create_organization_token(org, None, &common::docs_body(Some(past))),
    )
    .await;
    let bearer = Auth::Bearer(s.ctx().owner.clone());
    let params = [("organization_name", org)];
    s.raw(
        "create with a truncated body",
        bearer.clone(),
        "createOrganizationToken",
        &params,
    )
    .body(r#"{"data":{"type":"authentication-token","#)
    .send()
    .await;
    s.raw(
        "create without Content-Type",
        bearer.clone(),
        "createOrganizationToken",
        &params,
    )
    .content_type(None)
    .body(r#"{"data":{"type":"authentication-token"}}"#)
    .send()
    .await;
    s.raw(
        "delete without Content-Type",
        bearer,
        "deleteOrganizationToken",
        &params,
    )
    .content_type(None)
    .send()
    .await;
    s.call(
        "delete without a token",
        anon.delete_organization_token(org, None),
    )
    .await;
    s.call("delete", owner.delete_organization_token(org, None))
        .await;
    s.call("read after delete", owner.get_organization_token(org, None))
        .await;
    s.call("delete again", owner.delete_organization_token(org, None))
        .await;
}

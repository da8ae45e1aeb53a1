//! The tour the whole-run checks judge besides every trial's exchanges: the fixtures' part
//! here, then each family's part (`Family::tour`), once per run. A family's part of the
//! organization token runs only where destructive trials may.

use std::sync::Arc;

use crate::{
    client::Auth,
    exchange::Exchange,
    suite::{
        RunContext, Session,
        fixtures::{TEAM, team_body},
    },
};

/// Runs the tour (once per run) and returns its exchanges. The runner starts it beside the
/// trials when a whole-run check is to run, so that it is not left for the end.
pub async fn start_tour(ctx: Arc<RunContext>) -> Arc<Vec<Exchange>> {
    ctx.tour.get_or_init(|| run_tour(ctx.clone())).await.clone()
}

async fn run_tour(ctx: Arc<RunContext>) -> Arc<Vec<Exchange>> {
    let s = Session::new(ctx.clone());
    fixtures(&s).await;
    for family in ctx.families() {
        if let Some(tour) = family.tour.filter(|_| family.applies_to(ctx.profile)) {
            tour(s.clone()).await;
        }
    }
    // What the tour created goes now, like a trial's (recorded with the run's housekeeping).
    let released = ctx.release(s.take_created()).await;
    ctx.housekeeping(released);
    Arc::new(s.exchanges())
}

/// The fixtures' part: ping, the calling user, the organization, and a team made, shown and
/// deleted, with their error statuses.
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
        s.remember(TEAM.made(id.clone()));
    }
    s.call(
        "create a team with a name already taken",
        owner.create_team(org, &body),
    )
    .await;
    send_body(
        s,
        "create a team with a truncated body",
        "createTeam",
        &[("organization_name", org)],
        r#"{"data":{"type":"teams","attributes":"#,
    )
    .await;
    without_content_type(
        s,
        "create a team without Content-Type",
        "createTeam",
        &[("organization_name", org)],
        Some(&serde_json::to_string(&body).unwrap_or_default()),
    )
    .await;
    s.call(
        "list teams without a token",
        anon.list_teams(org, None, None),
    )
    .await;
    if let Some(id) = team_id {
        s.call("show the team", owner.get_team(&id)).await;
        without_content_type(
            s,
            "delete the team without Content-Type",
            "deleteTeam",
            &[("team_id", &id)],
            None,
        )
        .await;
        let deleted = s.call("delete the team", owner.delete_team(&id)).await;
        s.call("show the deleted team", owner.get_team(&id)).await;
        s.call("delete the team again", owner.delete_team(&id))
            .await;
        s.call("show a team without a token", anon.get_team(&id))
            .await;
        if deleted.status() == Some(204) {
            s.ctx().forget(&TEAM.made(id));
        }
    }
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
}

/// What every create of a token must refuse, and how: a truncated body, no Content-Type, an
/// expiry in the past. `what` names the token in the steps (`a team token`).
pub async fn refused_creates(s: &Session, what: &str, operation: &str, params: &[(&str, &str)]) {
    let bearer = s.as_owner();
    send_body(
        s,
        &format!("create {what} with a truncated body"),
        operation,
        params,
        TRUNCATED,
    )
    .await;
    s.raw(
        &format!("create {what} without Content-Type"),
        bearer.clone(),
        operation,
        params,
    )
    .content_type(None)
    .body(r#"{"data":{"type":"authentication-tokens"}}"#)
    .send()
    .await;
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    let past = past.format("%Y-%m-%dT%H:%M:%SZ");
    s.raw(
        &format!("create {what} expiring in the past"),
        bearer,
        operation,
        params,
    )
    .body(format!(
        r#"{{"data":{{"type":"authentication-tokens","attributes":{{"expired-at":"{past}"}}}}}}"#
    ))
    .send()
    .await;
}

/// `operation` sent as the owner with `body` (cut short, or empty where that means nothing).
pub async fn send_body(
    s: &Session,
    step: &str,
    operation: &str,
    params: &[(&str, &str)],
    body: &str,
) {
    s.raw(step, s.as_owner(), operation, params)
        .body(body.to_string())
        .send()
        .await;
}

/// `operation` sent as the owner without a Content-Type (with `body`, if any): real TFE
/// answers 415, and a server must not fail.
pub async fn without_content_type(
    s: &Session,
    step: &str,
    operation: &str,
    params: &[(&str, &str)],
    body: Option<&str>,
) {
    let request = s
        .raw(step, s.as_owner(), operation, params)
        .content_type(None);
    match body {
        Some(body) => request.body(body.to_string()),
        None => request,
    }
    .send()
    .await;
}

/// A body cut short, for a token create.
pub const TRUNCATED: &str = r#"{"data":{"type":"authentication-tokens","#;

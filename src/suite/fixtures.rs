//! What trials of several families stand on and no family owns: teams (made for a trial,
//! deleted with their tokens), the organization's owners team, and the calling user.

use serde_json::Value;

use super::{
    Boxed, Kind, Session, Stage, Stop,
    cleanup::{SWEEP, sweep_listed},
    steps::succeeded_id,
};
use crate::client::types;

/// A team the run made; its tokens go with it.
pub static TEAM: Kind = Kind::by_id("team", "deleteTeam", "team_id", Stage::Holder);

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
    match succeeded_id(&ex) {
        Some(id) => {
            s.remember(TEAM.made(id.clone()));
            Ok(Team { id, name })
        }
        None => Err(s.setup_failed(&ex, "a created team (2xx with an id)")),
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

/// The calling user's id.
pub async fn user_id(s: &Session) -> Result<String, Stop> {
    let ex = s
        .call("account details", s.owner().get_account_details())
        .await;
    succeeded_id(&ex).ok_or_else(|| s.setup_failed(&ex, "the calling user (GET /account/details)"))
}

/// The sweep's part for teams: those whose name carries the run's tag go, with their tokens.
pub fn sweep_teams(s: Session) -> Boxed<Vec<String>> {
    Box::pin(async move {
        let run_tag = s.ctx().run_tag.clone();
        let ex = s
            .call(SWEEP, s.owner().list_teams(s.org(), None, Some(&run_tag)))
            .await;
        sweep_listed(&s, &ex, "name", &TEAM).await
    })
}

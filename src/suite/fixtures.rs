//! What trials of several families stand on and no family owns: teams (made for a trial,
//! deleted with their tokens), the organization's owners team, the calling user, and the
//! run's set-up token.

use serde_json::Value;

use super::{
    Boxed, Kind, Session, Stage, Stop,
    cleanup::{SWEEP, sweep_listed},
    steps::{self, by_setup, succeeded_id},
};
use crate::{client::types, redact::Secret};

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
    let ex = by_setup!(s, &format!("create team {what}"), |c| c
        .create_team(s.org(), &team_body(&name)));
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

/// A token of the owners team that the run makes before its trials and deletes last, for the
/// requests no trial asks as the user: making the teams and agent pools trials stand on, and
/// deleting what the run made. A server limits requests per user (30/s on TFE, ref §6), and a
/// team's token is the team's, not the user's: set-up on it leaves the user's own budget to the
/// trials' questions. The owners team's token may manage teams and team tokens like an owner
/// (ref §5: "owners, the organization token, and users or teams with manage teams"; seed 002
/// for the organization token). Whatever it is refused, the user's token asks again.
pub struct SetupToken {
    pub secret: Secret,
    pub id: String,
}

/// Makes the set-up token (`None` when the owners team or its new token cannot be had: the
/// user's token then does everything, as in a profile without team tokens).
pub async fn setup_token(s: &Session) -> Option<SetupToken> {
    let team = owners_team(s).await.ok()?;
    let description = s.unique_name("set-up");
    let ex = s
        .call(
            "the run's set-up token: create a token of the owners team",
            s.owner().create_team_authentication_token(
                &team,
                &steps::described_body(Some(&description), None),
            ),
        )
        .await;
    let minted = steps::minted(s, ex, None).ok()?;
    let secret = minted.secret.clone()?;
    Some(SetupToken {
        secret,
        id: minted.id,
    })
}

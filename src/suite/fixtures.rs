//! What trials of several families stand on and no family owns: teams (made for a trial,
//! deleted with their tokens), the organization's owners team, the calling user, and the
//! run's set-up token.

use serde_json::Value;

use super::{
    Boxed, Kind, Session, Stage, Stop,
    cleanup::{SWEEP, sweep_listed},
    steps::{by_setup, succeeded_id},
};
use crate::{client::types, exchange::Exchange, redact::Secret};

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
            attributes: types::TeamCreateRequestDataAttributes {
                name: name.into(),
                organization_access: None,
            },
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

/// What many trials stand on and none asks about, looked up once before the trials (by the
/// user's token, as each trial asked before): the calling user's id and the owners team's.
/// About one request in fifteen a run sent on the user's token was one of these two look-ups
/// (TFE counts requests per user: ref §6). What is missing here (the look-up failed), a trial
/// asks for itself, and fails as it did, naming its own exchange.
#[derive(Default)]
pub struct Known {
    pub user_id: Option<String>,
    pub owners_team: Option<String>,
}

impl Known {
    pub(super) async fn look_up(s: &Session) -> Known {
        Known {
            user_id: succeeded_id(&ask_user_id(s).await),
            owners_team: owners_team_in(&ask_owners_team(s).await),
        }
    }
}

/// The id of the organization's owners team (every organization has one).
pub async fn owners_team(s: &Session) -> Result<String, Stop> {
    if let Some(id) = s.ctx().known().and_then(|k| k.owners_team.clone()) {
        return Ok(id);
    }
    let ex = ask_owners_team(s).await;
    owners_team_in(&ex)
        .ok_or_else(|| s.setup_failed(&ex, "the owners team (GET /organizations/{org}/teams)"))
}

async fn ask_owners_team(s: &Session) -> Exchange {
    s.call(
        "find the owners team",
        s.owner().list_teams(s.org(), Some("owners"), None),
    )
    .await
}

fn owners_team_in(ex: &Exchange) -> Option<String> {
    ex.json().and_then(|doc| {
        doc.get("data")?
            .as_array()?
            .iter()
            .find(|t| t.pointer("/attributes/name").and_then(Value::as_str) == Some("owners"))?
            .get("id")?
            .as_str()
            .map(str::to_string)
    })
}

/// The calling user's id.
pub async fn user_id(s: &Session) -> Result<String, Stop> {
    if let Some(id) = s.ctx().known().and_then(|k| k.user_id.clone()) {
        return Ok(id);
    }
    let ex = ask_user_id(s).await;
    succeeded_id(&ex).ok_or_else(|| s.setup_failed(&ex, "the calling user (GET /account/details)"))
}

async fn ask_user_id(s: &Session) -> Exchange {
    s.call("account details", s.owner().get_account_details())
        .await
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

/// A token the run makes before its trials and deletes last, for the requests no trial asks
/// as the user: making the teams and agent pools trials stand on, the authorization trials'
/// targets and personas that are not the user's own tokens, and deleting what the run made. The
/// team family makes it (a token of the owners team). Whatever it is refused, the user's token
/// asks again (`by_setup!`, `RunContext::cleanup`).
///
/// Why: TFE limits requests per user (ref §6: "30 requests per second per user"). That a
/// team's token counts as its team, not as the user who made it, is inferred, not documented
/// (a team token acts as the team: ref §5 judges its access by the team's); should a server
/// count it with the user, the run is no slower than with the user's token alone, and a 429
/// is waited out. The owners team's token may manage team tokens (ref §5: "owners, the
/// organization token, and users or teams with manage teams"); nothing documents it making
/// teams or agent pools, hence the user's token asking again.
///
/// There are two such tokens where the target lets the first make a second, taking the
/// set-up's requests in turn (`next`): a `tfe` run's set-up is about 500 requests, more than
/// the user's token sends, and a limit per token (inferred above) is then met half as soon.
pub struct SetupToken {
    pub secret: Secret,
    pub id: String,
    /// The second token of the owners team, with its id, where it could be made.
    pub second: Option<(Secret, String)>,
    /// The token of the run's team manager (a team with "manage teams", made with the set-up
    /// token), where the target let it prove itself: it explores team tokens
    /// (`Session::as_team_manager`).
    pub team_manager: Option<Secret>,
    /// Whose turn it is (`next`).
    pub turn: std::sync::atomic::AtomicUsize,
}

impl SetupToken {
    /// The set-up token to send next: the two in turn, or the one there is.
    pub fn next(&self) -> &Secret {
        match &self.second {
            Some((second, _))
                if self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 1 =>
            {
                second
            }
            _ => &self.secret,
        }
    }

    /// The ids of its tokens, the second first (the run's cleanup deletes them last).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.second
            .iter()
            .map(|(_, id)| id.as_str())
            .chain([self.id.as_str()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(second: bool) -> SetupToken {
        SetupToken {
            secret: Secret::new("first-set-up-token-for-a-unit-test"),
            id: "at-first".into(),
            second: second.then(|| {
                (
                    Secret::new("second-set-up-token-for-a-unit-test"),
                    "at-second".into(),
                )
            }),
            team_manager: None,
            turn: Default::default(),
        }
    }

    #[test]
    fn a_pair_of_set_up_tokens_takes_the_requests_in_turn_and_goes_second_first() {
        let pair = setup(true);
        let sent: Vec<&str> = (0..4).map(|_| pair.next().expose()).collect();
        assert_eq!(
            sent,
            [
                "first-set-up-token-for-a-unit-test",
                "second-set-up-token-for-a-unit-test",
                "first-set-up-token-for-a-unit-test",
                "second-set-up-token-for-a-unit-test",
            ]
        );
        assert_eq!(pair.ids().collect::<Vec<_>>(), ["at-second", "at-first"]);
        let alone = setup(false);
        assert!((0..3).all(|_| alone.next().expose() == "first-set-up-token-for-a-unit-test"));
        assert_eq!(alone.ids().collect::<Vec<_>>(), ["at-first"]);
    }
}

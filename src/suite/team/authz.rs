//! A team's several tokens in the authorization matrix (ref §1 #7-#11, §5: owners level), and
//! the owners team's token as a persona where a team may have several.

use super::cleanup::TOKEN;
use crate::suite::prelude::*;

pub const ROWS: &[Row] = &[
    Row {
        name: "create_team_tokens",
        operation: "createTeamAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200, 201]),
        source: "ref §1 #7, §5; the docs give no status, go-tfe takes any 2xx",
        prepare: prepare!(|s| Target::id(fixtures::team(&s, "target").await?.id)),
        act: act!(|s, c, t| c.create_team_authentication_token(
            &t.key,
            &described_body(Some(&s.unique_name("persona-made")), None)
        )),
        entitlement: None,
    },
    Row {
        name: "show_team_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #8, §5",
        prepare: prepare!(|s| Target::id(team_with_token(&s).await?.1)),
        act: READ_BY_ID,
        entitlement: None,
    },
    Row {
        name: "delete_team_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[204]),
        source: "ref §1 #9, §5",
        prepare: prepare!(|s| Target::id(team_with_token(&s).await?.1)),
        act: DELETE_BY_ID,
        entitlement: None,
    },
    Row {
        name: "list_team_tokens",
        operation: "listTeamTokens",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #10, §5",
        prepare: prepare!(
            |s| Target::organization(&s).with_detail(team_with_token(&s).await?.0.name)
        ),
        act: act!(|s, c, t| c.list_team_tokens(
            &t.key,
            None,
            None,
            None,
            None,
            Some(&t.detail),
            None
        )),
        entitlement: None,
    },
    Row {
        name: "delete_team_tokens",
        operation: "deleteTeamTokens",
        // HCP Terraform's team-tokens page only; TFE's docs have no bulk delete.
        profiles: HCP,
        destructive: false,
        expect: [
            status(&[204]),
            status(&[204]),
            status(&[204]),
            status(&[403, 404]),
            status(&[204]),
            BAD,
            BAD,
            BAD,
        ],
        source: "HCP Terraform team-tokens docs, bulk delete: 204; 403 \"not authorized to \
                 delete team tokens\" or 404; owners level as for team tokens (ref §5)",
        prepare: prepare!(|s| Target::organization(&s).with_detail(team_with_token(&s).await?.1)),
        act: act!(|s, c, t| c.delete_team_tokens(&t.key, &references(&[&t.detail]))),
        entitlement: None,
    },
];

/// A bulk delete's body: the tokens with these ids.
pub(super) fn references(ids: &[&str]) -> types::TokenReferenceList {
    types::TokenReferenceList {
        data: ids
            .iter()
            .map(|id| types::ResourceIdentifier {
                id: id.to_string(),
                type_: "authentication-tokens".into(),
            })
            .collect(),
    }
}

/// A team of the trial's with one of its tokens (the token's id).
async fn team_with_token(s: &Session) -> Result<(Team, String), Stop> {
    let team = fixtures::team(s, "target").await?;
    let ex = by_setup!(s, "target: create a token of the team", |c| c
        .create_team_authentication_token(
            &team.id,
            &described_body(Some("target"), None)
        ));
    let token = steps::minted(s, ex, None)?.id;
    Ok((team, token))
}

pub const PERSONAS: &[Provider] = &[Provider {
    persona: Persona::OwnersTeam,
    profiles: CURRENT,
    destructive: false,
    // Not shared: a new token of the owners team may revoke the others on a faulty server
    // (multi-token-replaces), and the owners team's tokens are what several trials ask about.
    shared: false,
    provision: owners_team,
}];

/// A token of the owners team, beside whatever tokens it has.
fn owners_team(s: Session) -> Boxed<Result<Auth, Stop>> {
    Box::pin(async move {
        let ex =
            owners_team_token(&s, "persona", "persona: create a token of the owners team").await?;
        Ok(Auth::Bearer(
            steps::minted(&s, ex, Some(&TOKEN))?.secret(&s)?,
        ))
    })
}

/// Asks for a new token of the owners team, described by a name of `what` with the run's tag
/// (so that the sweep finds it should the answer be lost); `step` names the request.
pub(super) async fn owners_team_token(
    s: &Session,
    what: &str,
    step: &str,
) -> Result<Exchange, Stop> {
    let team = fixtures::owners_team(s).await?;
    let body = described_body(Some(&s.unique_name(what)), None);
    // By the set-up token once there is one: the owners team's token may manage its team's
    // tokens (ref §5: "users or teams with manage teams").
    Ok(by_setup!(s, step, |c| c
        .create_team_authentication_token(&team, &body)))
}

/// The run's set-up token (`fixtures::SetupToken`): a token of the owners team, which may do
/// what owners do with team tokens (ref §5); and with it, the run's team manager
/// (`manager.rs`). `None` when the owners team or its new token
/// cannot be had: the user's token then does everything. Deleted by the run's cleanup, not
/// remembered as a trial's.
pub fn setup_token(s: Session) -> Boxed<Option<fixtures::SetupToken>> {
    Box::pin(async move {
        let step = "the run's set-up token: create a token of the owners team";
        let ex = owners_team_token(&s, "set-up", step).await.ok()?;
        let minted = steps::minted(&s, ex, None).ok()?;
        let secret = minted.secret?;
        Some(fixtures::SetupToken {
            second: second_setup_token(&s, &secret).await,
            team_manager: super::manager::team_manager(&s, &secret).await,
            secret,
            id: minted.id,
            turn: Default::default(),
        })
    })
}

/// A second token of the owners team, made by the first (`first`), to share the set-up's
/// requests (`fixtures::SetupToken`); none where it cannot be had (a refusal costs the
/// user's token nothing).
async fn second_setup_token(s: &Session, first: &Secret) -> Option<(Secret, String)> {
    let team = fixtures::owners_team(s).await.ok()?;
    let body = described_body(Some(&s.unique_name("set-up")), None);
    let ex = s
        .call(
            "the run's set-up token: create a second token of the owners team",
            s.bearer(first)
                .create_team_authentication_token(&team, &body),
        )
        .await;
    let minted = steps::minted(s, ex, None).ok()?;
    let second = (minted.secret?, minted.id);
    // The first must outlive it (a server whose new team token replaced the others would
    // leave the pair one token short): the first reads the second by id.
    let read = s
        .call(
            "the run's set-up token: read the second as the first",
            s.bearer(first).get_authentication_token(&second.1),
        )
        .await;
    if read.status() == Some(200) {
        return Some(second);
    }
    // Not a pair: the second goes again, by the user, and the first serves alone.
    s.call(
        "the run's set-up token: delete the second",
        s.owner().delete_authentication_token(&second.1),
    )
    .await;
    None
}

//! Provisioning personas: the credential each one asks with, made afresh for every trial.

use serde_json::Value;

use super::Persona;
use crate::{
    client::Auth,
    config::Profile,
    redact::Secret,
    suite::{
        Created, Session, Stop,
        common::{self, described_body, docs_body, succeeded},
    },
};

/// Makes the persona's credential for this trial.
pub(super) async fn provision(s: &Session, persona: Persona) -> Result<Auth, Stop> {
    let owner = s.owner();
    Ok(match persona {
        Persona::Owner => Auth::Bearer(s.ctx().owner.clone()),
        Persona::Anonymous => Auth::None,
        Persona::Malformed => Auth::Raw("Bearer"),
        Persona::OrganizationToken => {
            let ex = s
                .call(
                    "persona: create the organization token",
                    owner.create_organization_token(s.org(), None, &docs_body(None)),
                )
                .await;
            let minted = common::minted(s, ex, |id| Some(Created::OrganizationToken { id }))?;
            Auth::Bearer(minted.secret(s)?)
        }
        Persona::OwnersTeam => {
            let team = common::owners_team(s).await?;
            if s.profile() == Profile::Legacy {
                let ex = s
                    .call(
                        "persona: create the owners team's token",
                        owner.create_team_token(&team, &docs_body(None)),
                    )
                    .await;
                Auth::Bearer(common::minted(s, ex, |_| None)?.secret(s)?)
            } else {
                let description = s.unique_name("persona");
                let ex = s
                    .call(
                        "persona: create a token of the owners team",
                        owner.create_team_authentication_token(
                            &team,
                            &described_body(Some(&description), None),
                        ),
                    )
                    .await;
                let minted = common::minted(s, ex, |id| Some(Created::TeamToken { id }))?;
                Auth::Bearer(minted.secret(s)?)
            }
        }
        Persona::Outsider => Auth::Bearer(outsider(s).await?.1),
        Persona::OwnUserToken => {
            let user = user_id(s).await?;
            let ex = s
                .call(
                    "persona: create another user token",
                    owner.create_user_token(
                        &user,
                        &described_body(Some(&s.unique_name("persona")), None),
                    ),
                )
                .await;
            let minted = common::minted(s, ex, |id| Some(Created::UserToken { id }))?;
            Auth::Bearer(minted.secret(s)?)
        }
        Persona::Revoked => {
            let team = common::team(s, "revoked").await?;
            let ex = s
                .call(
                    "persona: create a team token",
                    owner.create_team_token(&team.id, &docs_body(None)),
                )
                .await;
            let first = common::minted(s, ex, |_| None)?.secret(s)?;
            let ex = s
                .call(
                    "persona: replace it",
                    owner.create_team_token(&team.id, &docs_body(None)),
                )
                .await;
            common::minted(s, ex, |_| None)?;
            Auth::Bearer(first)
        }
    })
}

/// A team outside the owners team, and its token.
pub(super) async fn outsider(s: &Session) -> Result<(common::Team, Secret), Stop> {
    let team = common::team(s, "outsider").await?;
    let ex = s
        .call(
            "persona: create the outsider team's token",
            s.owner().create_team_token(&team.id, &docs_body(None)),
        )
        .await;
    let secret = common::minted(s, ex, |_| None)?.secret(s)?;
    Ok((team, secret))
}

pub(super) async fn user_id(s: &Session) -> Result<String, Stop> {
    let ex = s
        .call("account details", s.owner().get_account_details())
        .await;
    ex.json()
        .filter(|_| succeeded(&ex))
        .and_then(|d| {
            d.pointer("/data/id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .ok_or_else(|| s.setup_failed(&ex, "the calling user (GET /account/details)"))
}

//! A team token's secret as a credential (`explore::by_id_credential`): exactly itself,
//! refused on every endpoint once deleted, once past its expiry, and once its team is gone.

use super::trials::{create, minted};
use crate::suite::{
    explore::{body_with_expiry, by_id_credential, refused_everywhere},
    prelude::*,
};

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "credential::team_tokens",
            "a team token's secret authenticates and nothing near it does; deleted, expired or with its team deleted, it gets 401 on every endpoint",
            credential,
        )
        .only(CURRENT)
        .explores(),
    ]
}

async fn credential(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "credential").await?;
    let (session, team_id) = (&s, team.id.as_str());
    by_id_credential(
        &s,
        |description, expired_at| async move {
            session
                .raw(
                    &format!("create token {description:?}"),
                    session.as_owner(),
                    "createTeamAuthenticationToken",
                    &[("team_id", team_id)],
                )
                .body(body_with_expiry(description, expired_at.as_deref()))
                .send()
                .await
        },
        minted,
    )
    .await?;

    let kept = minted(&s, create(&s, &team, "kept").await)?.secret(&s)?;
    let ex = s
        .call("delete the team", s.owner().delete_team(&team.id))
        .await;
    s.gate(http::status(&ex, &[204], "teams docs: delete a team, 204"))?;
    refused_everywhere(&s, "a token of the deleted team", &kept).await;
    Ok(())
}

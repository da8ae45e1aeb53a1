//! A team token's secret as a credential (`explore::credential`): exactly itself, refused on
//! every endpoint once deleted, once past its expiry, and once its team is gone.

use super::trials::{create, minted};
use crate::suite::{
    explore::{Clock, expiring_soon, near_misses_refused, refused_everywhere},
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
    let ex = create(&s, &team, "exact").await;
    let clock = Clock::of(&ex);
    let token = minted(&s, ex)?;
    let secret = token.secret(&s)?;
    let ex = try_secret(&s, "use the secret", &secret).await;
    s.gate(http::status(&ex, AUTHENTICATED, "ref §4, §5: a live token"))?;
    near_misses_refused(&s, &secret).await;

    let ex = s
        .call(
            "delete the token",
            s.owner().delete_authentication_token(&token.id),
        )
        .await;
    s.gate(http::status(&ex, &[204], "ref §1 #9"))?;
    refused_everywhere(&s, "the deleted token", &secret).await;

    if let Some(clock) = clock {
        let team_id = team.id.clone();
        let expiring = expiring_soon(&s, clock, |at| {
            let body = serde_json::json!({"data": {"type": "authentication-tokens",
                "attributes": {"description": "expiring", "expired-at": at}}});
            let (s, team_id) = (&s, &team_id);
            async move {
                s.raw(
                    "create a token that expires soon",
                    s.as_owner(),
                    "createTeamAuthenticationToken",
                    &[("team_id", team_id)],
                )
                .body(body.to_string())
                .send()
                .await
            }
        })
        .await?;
        if let Some((expiry, ex)) = expiring {
            let secret = minted(&s, ex)?.secret(&s)?;
            clock.wait_past(expiry).await;
            let ex = try_secret(&s, "use it past its expiry", &secret).await;
            s.check(http::status(
                &ex,
                &[401],
                "ref §4: a token past its expired-at no longer authenticates",
            ));
        }
    }

    let kept = minted(&s, create(&s, &team, "kept").await)?.secret(&s)?;
    let ex = s
        .call("delete the team", s.owner().delete_team(&team.id))
        .await;
    s.gate(http::status(&ex, &[204], "teams docs: delete a team, 204"))?;
    refused_everywhere(&s, "a token of the deleted team", &kept).await;
    Ok(())
}

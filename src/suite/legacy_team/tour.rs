//! The legacy team token's part of the conformance tour: a team's token made, refused and
//! deleted without the headers a client must send, and a team's token asking for account
//! details (a team is not a user).

use crate::{
    checks::token::TokenView,
    client::Auth,
    redact::Secret,
    suite::{Boxed, Session, fixtures, steps::docs_body},
};

pub fn tour(s: Session) -> Boxed<()> {
    Box::pin(async move {
        let owner = s.owner();
        let anon = s.client(Auth::None);
        let bearer = s.as_owner();
        let Ok(team) = fixtures::team(&s, "tour-tokens").await else {
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
                owner.create_team_token(&team.id, &docs_body(None)),
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
        .body(r#"{"data":{"type":"authentication-tokens","#)
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
            bearer,
            "deleteTeamToken",
            &team_params,
        )
        .content_type(None)
        .send()
        .await;
    })
}

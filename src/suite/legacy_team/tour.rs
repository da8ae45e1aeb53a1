//! The legacy team token's part of the conformance tour: a team's token made, refused and
//! deleted without the headers a client must send, and a team's token asking for account
//! details (a team is not a user).

use crate::suite::prelude::*;

pub fn tour(s: Session) -> Boxed<()> {
    Box::pin(async move {
        let owner = s.owner();
        let anon = s.client(Auth::None);
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
        send_body(
            &s,
            "create the team's token with a truncated body",
            "createTeamToken",
            &team_params,
            TRUNCATED,
        )
        .await;
        without_content_type(
            &s,
            "create the team's token without Content-Type",
            "createTeamToken",
            &team_params,
            None,
        )
        .await;
        without_content_type(
            &s,
            "delete the team's token without Content-Type",
            "deleteTeamToken",
            &team_params,
            None,
        )
        .await;
    })
}

//! A team's several tokens in the conformance tour: creates refused, a token made and deleted
//! without the headers a client must send, and (HCP Terraform) bulk deletes refused or empty.

use crate::suite::prelude::*;

pub fn tour(s: Session) -> Boxed<()> {
    Box::pin(async move {
        let bearer = s.as_owner();
        let Ok(team) = fixtures::team(&s, "tour-team-tokens").await else {
            return;
        };
        let team_params = [("team_id", team.id.as_str())];
        refused_creates(
            &s,
            "a team token",
            "createTeamAuthenticationToken",
            &team_params,
        )
        .await;
        let ex = s
            .call(
                "create a token of the team",
                s.owner().create_team_authentication_token(
                    &team.id,
                    &described_body(Some("tour"), None),
                ),
            )
            .await;
        let token_id = TokenView::of(&ex).and_then(|v| v.id);
        if let Some(id) = &token_id {
            without_content_type(
                &s,
                "delete it without Content-Type",
                "deleteAuthenticationToken",
                &[("token_id", id)],
                None,
            )
            .await;
        }
        // Bulk delete is HCP Terraform's alone.
        if s.profile() != crate::config::Profile::Hcp {
            return;
        }
        let org = s.org().to_string();
        let org_params = [("organization_name", org.as_str())];
        send_body(
            &s,
            "bulk delete with a truncated body",
            "deleteTeamTokens",
            &org_params,
            TRUNCATED,
        )
        .await;
        without_content_type(
            &s,
            "bulk delete without Content-Type",
            "deleteTeamTokens",
            &org_params,
            Some(r#"{"data":[]}"#),
        )
        .await;
        send_body(
            &s,
            "bulk delete of nothing",
            "deleteTeamTokens",
            &org_params,
            r#"{"data":[]}"#,
        )
        .await;
        if let Some(id) = &token_id {
            let unknown = missing_like(id);
            s.raw(
                "bulk delete of an unknown token",
                bearer,
                "deleteTeamTokens",
                &org_params,
            )
            .body(
                serde_json::json!({"data": [{"type": "authentication-tokens", "id": unknown}]})
                    .to_string(),
            )
            .send()
            .await;
        }
    })
}

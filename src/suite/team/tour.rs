//! A team's several tokens in the conformance tour: creates refused, a token made and deleted
//! without the headers a client must send, and (HCP Terraform) bulk deletes refused or empty.

use crate::{
    checks::token::TokenView,
    suite::{
        Boxed, Session,
        conformance::{TRUNCATED, refused_creates},
        fixtures,
        ids::missing_like,
        steps::described_body,
    },
};

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
            s.raw(
                "delete it without Content-Type",
                bearer.clone(),
                "deleteAuthenticationToken",
                &[("token_id", id)],
            )
            .content_type(None)
            .send()
            .await;
        }
        // Bulk delete is HCP Terraform's alone.
        if s.profile() != crate::config::Profile::Hcp {
            return;
        }
        let org = s.org().to_string();
        let org_params = [("organization_name", org.as_str())];
        s.raw(
            "bulk delete with a truncated body",
            bearer.clone(),
            "deleteTeamTokens",
            &org_params,
        )
        .body(TRUNCATED)
        .send()
        .await;
        s.raw(
            "bulk delete without Content-Type",
            bearer.clone(),
            "deleteTeamTokens",
            &org_params,
        )
        .content_type(None)
        .body(r#"{"data":[]}"#)
        .send()
        .await;
        s.raw(
            "bulk delete of nothing",
            bearer.clone(),
            "deleteTeamTokens",
            &org_params,
        )
        .body(r#"{"data":[]}"#)
        .send()
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

//! The organization token's part of the conformance tour.

use super::cleanup::TOKEN;
use crate::suite::prelude::*;

/// Every operation on the organization token and its error statuses. It deletes the token,
/// so it runs only where destructive trials may, holding the token's lock; elsewhere it only
/// reads.
pub fn tour(s: Session) -> Boxed<()> {
    Box::pin(async move {
        if s.ctx().destructive_allowed {
            let ctx = s.ctx().clone();
            let _exclusive = ctx.lock_org_token().await;
            every_operation(&s).await;
        } else {
            let missing = s.unique_name("missing-org");
            s.call(
                "read the organization token",
                s.owner().get_organization_token(s.org(), None),
            )
            .await;
            s.call(
                "read in an unknown organization",
                s.owner().get_organization_token(&missing, None),
            )
            .await;
        }
    })
}

async fn every_operation(s: &Session) {
    let owner = s.owner();
    let anon = s.client(Auth::None);
    let org = s.org();
    let missing = s.unique_name("missing-org");
    let body = docs_body(None);
    let created = s
        .call("create", owner.create_organization_token(org, None, &body))
        .await;
    remember_created(s, &created, &TOKEN);
    s.call("read", owner.get_organization_token(org, None))
        .await;
    s.call(
        "create without a token",
        anon.create_organization_token(org, None, &body),
    )
    .await;
    s.call(
        "read without a token",
        anon.get_organization_token(org, None),
    )
    .await;
    s.call(
        "create in an unknown organization",
        owner.create_organization_token(&missing, None, &body),
    )
    .await;
    s.call(
        "read in an unknown organization",
        owner.get_organization_token(&missing, None),
    )
    .await;
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    s.call(
        "create with expired-at in the past",
        owner.create_organization_token(org, None, &docs_body(Some(past))),
    )
    .await;
    let params = [("organization_name", org)];
    send_body(
        s,
        "create with a truncated body",
        "createOrganizationToken",
        &params,
        r#"{"data":{"type":"authentication-token","#,
    )
    .await;
    without_content_type(
        s,
        "create without Content-Type",
        "createOrganizationToken",
        &params,
        Some(r#"{"data":{"type":"authentication-token"}}"#),
    )
    .await;
    without_content_type(
        s,
        "delete without Content-Type",
        "deleteOrganizationToken",
        &params,
        None,
    )
    .await;
    s.call(
        "delete without a token",
        anon.delete_organization_token(org, None),
    )
    .await;
    s.call("delete", owner.delete_organization_token(org, None))
        .await;
    s.call("read after delete", owner.get_organization_token(org, None))
        .await;
    s.call("delete again", owner.delete_organization_token(org, None))
        .await;
}

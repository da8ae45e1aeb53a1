//! The organization token's part of the conformance tour.

use super::cleanup::TOKEN;
use crate::{
    client::Auth,
    suite::{
        Boxed, Session,
        steps::{docs_body, remember_created},
    },
};

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
    let bearer = s.as_owner();
    let params = [("organization_name", org)];
    s.raw(
        "create with a truncated body",
        bearer.clone(),
        "createOrganizationToken",
        &params,
    )
    .body(r#"{"data":{"type":"authentication-token","#)
    .send()
    .await;
    s.raw(
        "create without Content-Type",
        bearer.clone(),
        "createOrganizationToken",
        &params,
    )
    .content_type(None)
    .body(r#"{"data":{"type":"authentication-token"}}"#)
    .send()
    .await;
    s.raw(
        "delete without Content-Type",
        bearer,
        "deleteOrganizationToken",
        &params,
    )
    .content_type(None)
    .send()
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

//! The audit-trails token's trials (`?token=audit-trails`; reference §1 #1-#3, §2, §4): a
//! token of its own beside the organization token, replaced and deleted without touching it
//! (and the other way round), and never expiring by default.

use super::family::{NO_AUDIT_TRAILS, TOKEN};
use crate::suite::{
    organization::{self, AUTHENTICATED_SOURCE},
    prelude::*,
};

const REF: &str = "ref §1 #1, §4: the audit-trails token is a separate token";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "audit_token::create_returns_separate_token",
            "POST ?token=audit-trails answers 201 with a token whose id is not the organization token's, which keeps working",
            create_returns_separate_token,
        ),
        CheckDef::new(
            "audit_token::rotation_leaves_organization_token",
            "replacing the audit-trails token leaves the organization token alone, and the other way round",
            rotation_leaves_organization_token,
        ),
        CheckDef::new(
            "audit_token::delete_leaves_organization_token",
            "deleting the audit-trails token leaves the organization token alone, and the other way round",
            delete_leaves_organization_token,
        ),
        CheckDef::new(
            "audit_token::never_expires_by_default",
            "without expired-at the audit-trails token has expired-at null",
            never_expires_by_default,
        ),
    ]
    .into_iter()
    .map(|c| c.only(HCP).destructive())
    .collect()
}

/// The owner creates the audit-trails token; a 404 is the missing entitlement.
pub(super) async fn create_audit(s: &Session, step: &str) -> Result<Exchange, Stop> {
    let ex = s
        .call(
            step,
            s.owner().create_organization_token(
                s.org(),
                Some(types::CreateOrganizationTokenToken::AuditTrails),
                &docs_body(None),
            ),
        )
        .await;
    if ex.status() == Some(404) {
        return Err(NO_AUDIT_TRAILS.lacking(s, &ex));
    }
    Ok(ex)
}

pub(super) fn minted_audit(s: &Session, ex: Exchange) -> Result<Minted, Stop> {
    steps::minted(s, ex, Some(&TOKEN))
}

async fn read_org(s: &Session, step: &str) -> Exchange {
    s.call(step, s.owner().get_organization_token(s.org(), None))
        .await
}

async fn read_audit(s: &Session, step: &str) -> Exchange {
    s.call(
        step,
        s.owner()
            .get_organization_token(s.org(), Some(types::GetOrganizationTokenToken::AuditTrails)),
    )
    .await
}

/// The organization token is still `org`: reading it shows its id and its secret works.
async fn organization_token_intact(s: &Session, org: &Minted, after: &str) {
    let ex = read_org(s, &format!("read the organization token after {after}")).await;
    s.check(http::status(&ex, &[200], REF));
    s.check(token::same_id(&ex, &org.id));
    if let Some(secret) = &org.secret {
        let ex = try_secret(
            s,
            &format!("use the organization token after {after}"),
            secret,
        )
        .await;
        s.check(http::status(&ex, AUTHENTICATED, AUTHENTICATED_SOURCE));
    }
}

async fn create_returns_separate_token(s: Session) -> Result<(), Stop> {
    let org = organization::mint(&s, "create the organization token").await?;
    let ex = create_audit(&s, "create the audit-trails token").await?;
    s.gate(http::status(&ex, &[201], REF))?;
    let _ = minted_audit(&s, ex.clone());
    s.check(schema::body_matches(s.spec(), &ex));
    s.check(token::secret_present(&ex));
    s.check(token::other_id(&ex, &org.id, REF));
    organization_token_intact(&s, &org, "creating the audit-trails token").await;
    Ok(())
}

async fn rotation_leaves_organization_token(s: Session) -> Result<(), Stop> {
    let org = organization::mint(&s, "create the organization token").await?;
    minted_audit(&s, create_audit(&s, "create the audit-trails token").await?)?;
    let audit = minted_audit(
        &s,
        create_audit(&s, "replace the audit-trails token").await?,
    )?;
    organization_token_intact(&s, &org, "replacing the audit-trails token").await;
    organization::mint(&s, "replace the organization token").await?;
    let ex = read_audit(&s, "read the audit-trails token").await;
    s.check(http::status(&ex, &[200], REF));
    s.check(token::same_id(&ex, &audit.id));
    Ok(())
}

async fn delete_leaves_organization_token(s: Session) -> Result<(), Stop> {
    let org = organization::mint(&s, "create the organization token").await?;
    minted_audit(&s, create_audit(&s, "create the audit-trails token").await?)?;
    let owner = s.owner();
    let ex = s
        .call(
            "delete the audit-trails token",
            owner.delete_organization_token(
                s.org(),
                Some(types::DeleteOrganizationTokenToken::AuditTrails),
            ),
        )
        .await;
    s.gate(http::status(&ex, &[204], REF))?;
    organization_token_intact(&s, &org, "deleting the audit-trails token").await;
    let audit = minted_audit(
        &s,
        create_audit(&s, "create the audit-trails token again").await?,
    )?;
    let ex = s
        .call(
            "delete the organization token",
            owner.delete_organization_token(s.org(), None),
        )
        .await;
    s.gate(http::status(&ex, &[204], REF))?;
    let ex = read_audit(&s, "read the audit-trails token").await;
    s.check(http::status(&ex, &[200], REF));
    s.check(token::same_id(&ex, &audit.id));
    Ok(())
}

async fn never_expires_by_default(s: Session) -> Result<(), Stop> {
    let ex = create_audit(&s, "create the audit-trails token").await?;
    minted_audit(&s, ex.clone())?;
    // The audit-trails docs: without expired-at the token never expires.
    s.check(token::expiry_default(&ex, DefaultExpiry::Never));
    Ok(())
}

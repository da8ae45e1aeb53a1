//! How the organization's own tokens go: not one by one as trials end (a trial may still
//! hold the token's lock, and an organization has only its current token), but once at the
//! end, and only if the current token is one the run made: anyone else's is left alone.

use crate::suite::prelude::*;

/// The organization token.
pub static TOKEN: Kind = Kind {
    what: "organization token",
    removal: Removal::Settle(settle),
    users_own: false,
};

fn settle(s: Session, ours: Vec<String>) -> Boxed<Vec<String>> {
    Box::pin(async move { settle_current(&s, &TOKEN, ours, false).await })
}

/// Of all the tokens of `kind` the run made (`ours`), only the current one can still exist:
/// deletes it if it is one of ours. `audit`: the audit-trails token (`?token=audit-trails`)
/// rather than the organization token. Returns what could not be deleted, or checked.
pub async fn settle_current(
    s: &Session,
    kind: &Kind,
    ours: Vec<String>,
    audit: bool,
) -> Vec<String> {
    let what = kind.what;
    let which = audit.then_some(types::GetOrganizationTokenToken::AuditTrails);
    let ex = s
        .call("cleanup", s.owner().get_organization_token(s.org(), which))
        .await;
    if ex.response().is_none() {
        return vec![format!(
            "{what} {} (could not check whether it is still there)",
            ours.join(" or ")
        )];
    }
    let current = (ex.status() == Some(200))
        .then(|| TokenView::of(&ex).and_then(|v| v.id))
        .flatten();
    let Some(id) = current.filter(|id| ours.contains(id)) else {
        return Vec::new();
    };
    let which = audit.then_some(types::DeleteOrganizationTokenToken::AuditTrails);
    let ex = s
        .call(
            "cleanup",
            s.owner().delete_organization_token(s.org(), which),
        )
        .await;
    if matches!(ex.status(), Some(204 | 404)) {
        Vec::new()
    } else {
        vec![format!("{what} {id}")]
    }
}

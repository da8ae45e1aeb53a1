//! HCP Terraform's audit-trails token as the suite knows it, the entitlement it needs, and
//! how it is cleaned up (as the organization token: once, at the end, if it is the run's).

use super::{authz, sequences, trials};
use crate::suite::{organization, prelude::*};

pub const FAMILY: Family = Family {
    name: "audit-trails token",
    profiles: HCP,
    trials: every_trial,
    rows: authz::ROWS,
    entitlement: Some(&NO_AUDIT_TRAILS),
    ..Family::NOTHING
};

/// The token's own trials, then its exploration's.
fn every_trial() -> Vec<CheckDef> {
    let mut checks = trials::checks();
    checks.extend(sequences::checks());
    checks
}

/// The audit-trails token.
pub static TOKEN: Kind = Kind {
    what: "audit-trails token",
    removal: Removal::Settle(settle),
    users_own: false,
};

fn settle(s: Session, ours: Vec<String>) -> Boxed<Vec<String>> {
    Box::pin(async move { organization::settle_current(&s, &TOKEN, ours, true).await })
}

/// The owner's audit-trails token create answered 404: what an organization without the
/// audit-trails entitlement answers (ref §5: audit-trails tokens need a paid entitlement, 404
/// without it).
pub static NO_AUDIT_TRAILS: Entitlement = Entitlement {
    rule: "audit-trails",
    needed: "an audit-trails token (201)",
    meaning: "404: the organization has no audit-trails entitlement (HCP Terraform's paid plans), \
              the token may not manage it, or the server has no audit-trails token; nothing about \
              it can be checked here. Leave these trials out with --skip audit_token --skip \
              audit_trails",
    source: "audit-trails tokens need the entitlement, 404 without it (ref §5)",
    summary: "{count} trial(s) failed because the audit-trails token could not be made (POST \
              /organizations/{org}/authentication-token?token=audit-trails answered 404: the \
              organization has no audit-trails entitlement, the token may not manage it, or the \
              server has none); leave them out with --skip audit_token --skip audit_trails",
};

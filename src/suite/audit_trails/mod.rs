//! HCP Terraform's audit-trails token (`?token=audit-trails`; reference §1 #1-#3, §2, §4): a
//! token of its own beside the organization token. It is defined by its relation to the
//! organization token, so it uses that family's steps. Its trials (`trials.rs`, named
//! `audit_token::`), its rows of the authorization matrix (`authz.rs`), its entitlement
//! and cleanup (`family.rs`), and its exploration (`sequences.rs`, the one-slot model).

mod authz;
mod family;
mod sequences;
mod trials;

pub use family::{FAMILY, NO_AUDIT_TRAILS};

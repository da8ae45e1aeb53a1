//! User tokens (reference §1 #12-#13, §5): made for the calling user, seen only by that user.
//! Its trials (`trials.rs`, named `user_token::`), its rows of the authorization matrix and
//! another of the owner's user tokens as a persona (`authz.rs`), its part of the tour
//! (`tour.rs`), and its cleanup (`cleanup.rs`).

mod authz;
mod cleanup;
mod family;
mod tour;
mod trials;

pub use family::FAMILY;

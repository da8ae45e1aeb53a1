//! User tokens (reference §1 #12-#13, §5): made for the calling user, seen only by that user.
//! Its trials (`trials.rs`, named `user_token::`), its rows of the authorization matrix and
//! another of the owner's user tokens as a persona (`authz.rs`), its part of the tour
//! (`tour.rs`), its cleanup (`cleanup.rs`), its generated inputs (`inputs.rs`) and its secret
//! as a credential (`credential.rs`).

mod authz;
mod cleanup;
mod credential;
mod family;
mod inputs;
mod tour;
mod trials;

pub use family::FAMILY;

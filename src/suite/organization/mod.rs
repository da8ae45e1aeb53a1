//! The organization token (seed 002; reference §1 #1-#3, §2, §4): one per organization,
//! replaced by each create, shown without its secret, deleted. Its trials (`trials.rs`, named
//! `org_token::`), its rows of the authorization matrix and its persona (`authz.rs`), its part
//! of the tour (`tour.rs`), how it is cleaned up (`cleanup.rs`), and its exploration: drawn
//! sequences checked against the one-slot model (`sequences.rs`) and its secret as a
//! credential (`credential.rs`).

mod authz;
mod cleanup;
mod credential;
mod family;
mod sequences;
mod tour;
mod trials;

pub use cleanup::settle_current;
pub use family::FAMILY;
pub use trials::{AUTHENTICATED_SOURCE, mint};

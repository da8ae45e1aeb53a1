//! The legacy team token, one per team (seed 003; reference §1 #4-#6, §4): replaced by each
//! create, shown without its secret, deleted; it names its team. Its trials (`trials.rs`,
//! named `team_token::`), its rows of the authorization matrix and the personas made of it
//! (`authz.rs`), its part of the tour (`tour.rs`), and its exploration: drawn sequences
//! checked against the one-slot model (`sequences.rs`) and its secret as a credential
//! (`credential.rs`).

mod authz;
mod credential;
mod family;
mod sequences;
mod tour;
mod trials;

pub use family::FAMILY;

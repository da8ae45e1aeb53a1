//! The legacy team token, one per team (seed 003; reference §1 #4-#6, §4): replaced by each
//! create, shown without its secret, deleted; it names its team. Its trials (`trials.rs`,
//! named `team_token::`), its rows of the authorization matrix and the personas made of it
//! (`authz.rs`), and its part of the tour (`tour.rs`).

mod authz;
mod family;
mod tour;
mod trials;

pub use family::FAMILY;

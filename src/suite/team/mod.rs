//! A team's several tokens (reference §1 #7-#11, §4): each with a description unique within
//! the team, none replacing another, shown and deleted by id, listed across the organization
//! and deleted in bulk. Its trials (`trials.rs`, named `team_tokens::`; the list's in
//! `list.rs`, named `team_token_list::`), its rows of the authorization matrix and the owners
//! team's token as a persona and as the run's set-up token (`authz.rs`), its part of the tour (`tour.rs`), the team that
//! manages team tokens in the exploring trials (`manager.rs`), and its cleanup (`cleanup.rs`).

mod authz;
mod cleanup;
mod credential;
mod family;
mod inputs;
mod list;
mod manager;
mod sequences;
mod tour;
mod trials;

pub use family::FAMILY;

//! The reference server's model and behaviour, without HTTP: who a token belongs to, who may
//! do what, and the documents real TFE answers with. Faults and quirks are applied here, at
//! the one place each decision is made.

mod access;
mod agent_tokens;
mod documents;
mod model;
mod organization;
mod replies;
mod team_tokens;
mod teams;
mod user_tokens;

pub use model::{Body, Principal, Reply, State};

// What the submodules take from the rest of the server, passed down so that they name it
// one level up (the guard in tests/harness/reference.rs allows no path two levels up).
use super::{Config, Fault, Inventory, Profile, Quirk};

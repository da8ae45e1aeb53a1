//! Agent tokens (reference §1 #14, agent-tokens docs): the tokens of an agent pool, each with
//! a required description, shown and deleted by id like team and user tokens. Its trials
//! (`trials.rs`, named `agent_token::`), pools and their entitlement (`pool.rs`), its rows of
//! the authorization matrix (`authz.rs`), its part of the tour (`tour.rs`), its cleanup
//! (`cleanup.rs`), and its exploration (`inputs.rs`: generated descriptions; `sequences.rs`:
//! the shared model of a holder's tokens; `explorer.rs`: whose token explores).

mod authz;
mod cleanup;
mod explorer;
mod family;
mod inputs;
mod pool;
mod sequences;
mod tour;
mod trials;

pub use family::FAMILY;
pub use pool::NO_AGENT_POOL;

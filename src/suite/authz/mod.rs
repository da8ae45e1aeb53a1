//! The authorization matrix: every token operation, tried by every persona, against what the
//! seeds and the reference say it must answer (`MATRIX`, one row per operation, one column per
//! persona, with the source of the row). The seeds' rule: 401 only for a bad token; 404, never
//! 403, for whatever a valid token may not touch, "to avoid telling a potential attacker that
//! a given resource exists" (the one documented 403 is bulk team-token delete). Trials are
//! generated from the table, named `authz::<operation>::<persona>`, and each provisions its
//! persona and its target afresh, so that none depends on another. `leak::<operation>` trials
//! check that "exists but forbidden" answers exactly like "does not exist".

mod matrix;
mod personas;
mod targets;
mod trials;

pub use matrix::{Expect, MATRIX, Op, Persona, Row};
pub use trials::checks;

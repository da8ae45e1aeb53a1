//! The authorization matrix: every token operation, tried by every persona, against what the
//! seeds and the reference say it must answer. The seeds' rule: 401 only for a bad token; 404,
//! never 403, for whatever a valid token may not touch, "to avoid telling a potential attacker
//! that a given resource exists" (the one documented 403 is bulk team-token delete). Each
//! family writes its rows (`Row`: the operation, what each persona must get, with the source,
//! and how to prepare its target and act on it); trials are generated from them, named
//! `authz::<row>::<persona>`, and each provisions its persona and its target afresh, so that
//! none depends on another. `leak::<row>` trials check that "exists but forbidden" answers
//! exactly like "does not exist".

mod expect;
mod persona;
mod row;
mod trials;

pub use expect::{BAD, Expect, NO, owners_only, status, user_only};
pub use persona::{Persona, Provider};
pub use row::{Act, DELETE_BY_ID, Key, Prepare, READ_BY_ID, Row, Target};
pub(crate) use row::{act, prepare};
pub use trials::{checks, rows};

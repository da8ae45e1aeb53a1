//! Exploration: the questions no one wrote down. Each family's exploring trials draw inputs
//! from strategies (`inputs`) and sequences of operations from its model of the documented
//! semantics; this module finds a case that breaks the contract and shrinks it (`driver`),
//! within the run's budget and from its seed (`settings`).

mod credential;
mod driver;
mod echo;
mod holder;
mod inputs;
mod sequence;
mod settings;
mod slot;

pub use credential::{body_with_expiry, by_id_credential, near_misses_refused, refused_everywhere};
pub use driver::{explore, explore_drawn};
pub use echo::{Create, descriptions_echoed, expiries_echoed};
pub use holder::{Holder, Rules, holder_sequences};
pub use inputs::{Moment, moment, text};
pub use sequence::{DEFAULT_PAGE_SIZE, Drawn, steps, walk_pages};
pub use settings::{Exploration, Replay};
pub use slot::{Slot, slot_credential, slot_sequences};

//! Exploration: the questions no one wrote down. Each family's exploring trials draw inputs
//! from strategies (`inputs`) and sequences of operations from its model of the documented
//! semantics; this module finds a case that breaks the contract and shrinks it (`driver`),
//! within the run's budget and from its seed (`settings`).

mod driver;
mod inputs;
mod settings;

pub use driver::explore;
pub use inputs::{Moment, moment, text};
pub use settings::Exploration;

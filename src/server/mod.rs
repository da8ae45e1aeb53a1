//! The embedded reference server: an in-memory implementation of the token API that behaves
//! like real TFE for everything in the spec, on loopback and an ephemeral port. It is an
//! independent implementation: it uses nothing from the rest of the crate (no checks, no
//! generated client types), so that a misreading of the contract cannot hide by being made
//! twice. It can deviate on purpose (`Fault`) or differ in allowed ways (`Quirk`).

mod api;
mod config;
mod encoded;
mod fault;
mod modes;
mod profile;
mod serve;
mod shapes;
mod state;

pub use config::Config;
pub use encoded::encoded_forms;
pub use fault::{Fault, FaultRow, Quirk, QuirkRow, describe as describe_faults_and_quirks};
pub use modes::{Garbage, Modes, Tls};
pub use profile::Profile;
pub use serve::{Handle, Inventory, spawn};
pub use shapes::Shape;

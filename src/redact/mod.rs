//! Redaction: the one place that decides what output may show. Every token value the run is
//! given or sees minted is registered here and replaced by a placeholder wherever text leaves
//! the process (trial messages, panic messages, reports, snapshots, logs). Snapshots also need
//! volatile values (ids, timestamps, generated names) made stable; `Normalizer` does that on top
//! of the same secret redaction.

mod decode;
mod minted;
mod normalize;
mod registry;
mod secret;
mod show;
mod variants;

pub use minted::register_minted;
pub use normalize::Normalizer;
pub use registry::{SECRET, forget, register, text};
pub use secret::Secret;
pub use show::{excerpt, header, json};

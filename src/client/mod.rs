//! The typed client progenitor generates from the spec, and the recorder behind it. Every
//! request, typed or hand-built, goes through `Recorder::exchange`: it puts the JSON:API headers
//! and the credential on the wire, retries on 429, reads the whole response (up to a cap) and
//! writes an `Exchange` to the trial's journal before handing the generated code an equivalent
//! response to decode.

mod body;
mod generated;
mod journal;
mod raw;
mod recorder;
mod retry;
mod transport;

pub use body::MAX_BODY;
pub use generated::{Client, types};
pub use journal::Journal;
pub use raw::RawRequest;
pub use recorder::{Auth, Recorder};
pub use retry::retry_after;
pub use transport::{Halt, Transport, TransportOptions};

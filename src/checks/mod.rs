//! Checks: pure functions from recorded exchanges to findings. A check never sends a request
//! and never prints; it says what it expected, what it saw, where (exchange and JSON pointer)
//! and on what authority (the spec operation or the reference section).

pub mod authz;
pub mod clients;
mod finding;
pub mod http;
pub mod jsonapi;
pub mod list;
pub mod schema;
pub mod token;

pub use finding::{CasePath, DrawnCase, Finding};

#[cfg(test)]
mod tests;

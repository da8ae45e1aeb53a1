//! The spec at run time: the operation table (method, path template, documented statuses and
//! their schemas) and one compiled JSON Schema validator per response schema. Everything is
//! read from the copy build.rs converted, so there is no second, hand-kept copy of any schema.
//! Built once per process and shared by every trial.

mod operation;
mod schema;
mod table;

pub use operation::{Operation, ResponseSpec};
pub use schema::SchemaViolation;
pub use table::Spec;

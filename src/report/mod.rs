//! Reports rendered from a finished run's records, never from inside a trial: JUnit XML, the
//! JSON report and the spec coverage summary.

pub mod coverage;
pub mod json;
pub mod junit;

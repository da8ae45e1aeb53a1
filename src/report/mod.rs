//! Reports rendered from a finished run's records (`crate::record`), never from inside a
//! trial: the text summary, JUnit XML, the JSON report and the spec coverage.

pub mod causes;
pub mod coverage;
pub mod json;
pub mod junit;
pub mod summary;

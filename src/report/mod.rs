//! Reports rendered from a finished run's records (`crate::record`), never from inside a
//! trial: the text summary, JUnit XML, the JSON report, the HTML page, the spec coverage, and
//! the annotations a GitHub Actions run shows on a pull request, and every exchange as HAR.

pub mod annotations;
pub mod causes;
pub mod coverage;
pub mod har;
pub mod html;
pub mod json;
pub mod junit;
pub mod summary;

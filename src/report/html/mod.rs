//! The HTML report: one self-contained page per run (no script, nothing fetched), rendered
//! from the run's records after the run. A header with the verdict, the authorization matrix
//! as a grid, every trial by area (a failed one opens to its findings and its exchanges), and
//! the spec coverage. Every value shown is redacted with the helpers the JSON report uses,
//! then escaped by the template (askama escapes everything in an `.html` template); the page
//! as a whole is redacted once more before it is written, like every report.

mod matrix;
mod page;
mod trials;

pub use page::{render, write};
pub use trials::{BODY_CHARS, DETAIL_BUDGET};

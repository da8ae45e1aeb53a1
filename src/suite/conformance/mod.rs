//! Rules every response must keep, whatever the operation: the JSON:API document rules and the
//! spec's statuses and schemas (`rules.rs`). They judge every exchange of the run, plus a tour
//! (`tour.rs`) that visits every operation of the spec and, where it can safely provoke it,
//! every documented status, so that they judge something even when run alone.

mod rules;
mod tour;

pub use rules::{RULES, checks};
pub use tour::{TRUNCATED, refused_creates, send_body, start_tour, without_content_type};

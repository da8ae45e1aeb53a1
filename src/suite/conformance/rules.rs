//! The whole-run checks: each applies one rule to every exchange of the run. Every other
//! trial's exchanges are judged as the trial ends (`Judge`); the check itself judges the tour
//! and gathers.

use super::tour::start_tour;
use crate::{
    checks::{Finding, jsonapi, schema},
    exchange::Exchange,
    spec::Spec,
    suite::{CheckDef, Session, Stop},
};

/// A rule every exchange must keep.
pub type Rule = fn(&Spec, &Exchange) -> Vec<Finding>;

/// The whole-run checks: name, summary, rule. Every other trial's exchanges are judged as the
/// trial ends (`RunContext::trial_finished`); the check itself judges the tour and gathers.
pub const RULES: [(&str, &str, Rule); 6] = [
    (
        "jsonapi::media_type",
        "every response with a body is application/vnd.api+json",
        |_, ex| jsonapi::media_type(ex).into_iter().collect(),
    ),
    (
        "jsonapi::data_xor_errors",
        "every document has data or errors at the top level, never both",
        |_, ex| jsonapi::data_xor_errors(ex).into_iter().collect(),
    ),
    (
        "jsonapi::error_status_matches",
        "errors[].status equals the HTTP status (string or number)",
        |_, ex| jsonapi::error_status_matches(ex),
    ),
    (
        "jsonapi::timestamps_utc",
        "timestamps are RFC 3339 in UTC ending in Z",
        |_, ex| jsonapi::timestamps_utc(ex),
    ),
    (
        "schema::status_documented",
        "every status is one the spec documents for the operation",
        |spec, ex| schema::status_documented(spec, ex).into_iter().collect(),
    ),
    (
        "schema::body_matches_schema",
        "every body is valid against the spec's schema for its status (or empty where none)",
        schema::body_matches,
    ),
];

pub fn checks() -> Vec<CheckDef> {
    RULES
        .iter()
        .map(|&(name, summary, rule)| {
            CheckDef::new(name, summary, move |s| judge(s, name, rule)).whole_run()
        })
        .collect()
}

async fn judge(s: Session, name: &'static str, rule: Rule) -> Result<(), Stop> {
    let tour = start_tour(s.ctx().clone()).await;
    s.check(s.ctx().judged(name).await);
    for ex in tour.iter() {
        s.check(rule(s.spec(), ex));
    }
    // A rule over responses holds vacuously when nothing answered: that is no pass. The tour
    // visits every operation, so a server that answers at all answers some of it (`/ping`,
    // which even a stalled server may answer, does not count).
    if !tour
        .iter()
        .any(|ex| ex.operation != "ping" && ex.response().is_some())
    {
        let finding = match tour.first() {
            Some(ex) => Finding::no_response(ex),
            None => Finding::general("transport", "answers to judge", "no request was answered"),
        };
        s.check([finding.source("nothing to judge: no request of the tour got an answer")]);
    }
    Ok(())
}

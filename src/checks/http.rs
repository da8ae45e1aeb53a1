//! Checks on the plain HTTP level: statuses, empty bodies, error documents.

use serde_json::Value;

use super::Finding;
use crate::{exchange::Exchange, redact};

/// The status is one of `expected`.
pub fn status(ex: &Exchange, expected: &[u16], source: &str) -> Option<Finding> {
    let Some(response) = ex.response() else {
        return Some(Finding::no_response(ex));
    };
    if expected.contains(&response.status) {
        return None;
    }
    if response.status == 429 {
        return Some(Finding::rate_limited(ex, &expected_list(expected)));
    }
    let wanted = expected_list(expected);
    let mut actual = response.status.to_string();
    if !response.body.is_empty() {
        actual.push_str(&format!(
            " with body {}",
            redact::excerpt(&response.body, 160)
        ));
    }
    Some(Finding::new("status", ex, wanted, actual).source(source))
}

fn expected_list(expected: &[u16]) -> String {
    expected
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A client error (4xx) and not success or a server error. A 429 that outlasted the retries
/// is no answer to judge: the server only asked to wait.
pub fn client_error(ex: &Exchange, source: &str) -> Option<Finding> {
    let Some(response) = ex.response() else {
        return Some(Finding::no_response(ex));
    };
    if response.status == 429 {
        return Some(Finding::rate_limited(ex, "a 4xx client error"));
    }
    if (400..500).contains(&response.status) {
        return None;
    }
    let actual = format!(
        "{} with body {}",
        response.status,
        redact::excerpt(&response.body, 160)
    );
    Some(Finding::new("status", ex, "a 4xx client error", actual).source(source))
}

/// Not a server error (5xx): whatever a server makes of a request the docs set no rule for,
/// it must not fail on it (RFC 9110 §15.6: a 5xx says the server failed). A 429 that
/// outlasted the retries is no answer to judge.
pub fn not_server_error(ex: &Exchange, source: &str) -> Option<Finding> {
    let Some(response) = ex.response() else {
        return Some(Finding::no_response(ex));
    };
    if response.status == 429 {
        return Some(Finding::rate_limited(ex, "any answer but a 5xx"));
    }
    if response.status < 500 {
        return None;
    }
    let actual = format!(
        "{} with body {}",
        response.status,
        redact::excerpt(&response.body, 160)
    );
    Some(Finding::new("server-error", ex, "any answer but a 5xx", actual).source(source))
}

/// Of `answers`, the same request sent with each of several secrets, exactly one is
/// authenticated (its status in `authenticated`) and every other gets 401: what rotations
/// sent at the same moment must leave behind, since each replaces the token before it.
pub fn one_authenticates(
    answers: &[Exchange],
    authenticated: &[u16],
    source: &str,
) -> Option<Finding> {
    let mut live = Vec::new();
    for (i, ex) in answers.iter().enumerate() {
        let Some(response) = ex.response() else {
            return Some(Finding::no_response(ex));
        };
        if response.status == 429 {
            return Some(Finding::rate_limited(ex, "401, or authenticated"));
        }
        if authenticated.contains(&response.status) {
            live.push(i);
        } else if response.status != 401 {
            let expected = format!("401 or {}", expected_list(authenticated));
            return Some(
                Finding::new("status", ex, expected, response.status.to_string()).source(source),
            );
        }
    }
    if live.len() == 1 {
        return None;
    }
    // Name a second secret that authenticates, or, where none does, the last refused.
    let named = live.get(1).map_or(answers.last()?, |&i| &answers[i]);
    Some(
        Finding::new(
            "one-secret",
            named,
            format!("exactly one of {} secrets authenticates", answers.len()),
            format!("{} authenticate", live.len()),
        )
        .source(source),
    )
}

/// No body at all (204 responses).
pub fn empty_body(ex: &Exchange, source: &str) -> Option<Finding> {
    let Some(response) = ex.response() else {
        return Some(Finding::no_response(ex));
    };
    if response.body.is_empty() {
        return None;
    }
    let actual = format!(
        "{} bytes: {}",
        response.body.len(),
        redact::excerpt(&response.body, 120)
    );
    Some(Finding::new("empty-body", ex, "an empty body", actual).source(source))
}

/// The body is a JSON:API error document: an object whose `errors` is a non-empty array.
pub fn error_document(ex: &Exchange, source: &str) -> Option<Finding> {
    let Some(response) = ex.response() else {
        return Some(Finding::no_response(ex));
    };
    let ok = response
        .json()
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(Value::as_array)
        .is_some_and(|errors| !errors.is_empty());
    if ok {
        return None;
    }
    let actual = if response.body.is_empty() {
        "an empty body".to_string()
    } else {
        let media = response.media_type().unwrap_or_else(|| "untyped".into());
        format!("a {media} body: {}", redact::excerpt(&response.body, 160))
    };
    Some(
        Finding::new(
            "error-document",
            ex,
            "a JSON:API error document ({\"errors\":[...]})",
            actual,
        )
        .source(source),
    )
}

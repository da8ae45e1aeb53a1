//! JSON:API rules every response must keep (reference §6), whatever the operation.

use serde_json::Value;

use super::Finding;
use crate::{
    exchange::{Exchange, JSON_API},
    redact,
};

const SOURCE: &str = "JSON:API 1.0; ref §6";

/// A response with a body declares `application/vnd.api+json` (parameters such as a charset
/// are tolerated).
pub fn media_type(ex: &Exchange) -> Option<Finding> {
    let response = ex.response()?;
    if response.body.is_empty() {
        return None;
    }
    match response.media_type_is(JSON_API) {
        Some(true) => None,
        other => {
            let actual = match other {
                Some(_) => redact::text(
                    response
                        .headers
                        .get(http::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default(),
                ),
                None => "no Content-Type".to_string(),
            };
            Some(Finding::new("media-type", ex, JSON_API, actual).source(SOURCE))
        }
    }
}

/// A document has `data` or `errors` at the top level, never both, and not neither unless it
/// has `meta` (JSON:API 1.0, document structure).
pub fn data_xor_errors(ex: &Exchange) -> Option<Finding> {
    let response = ex.response()?;
    if response.body.is_empty() {
        return None;
    }
    let Some(doc) = response.json() else {
        let actual = format!("not JSON: {}", redact::excerpt(&response.body, 120));
        return Some(Finding::new("document", ex, "a JSON:API document", actual).source(SOURCE));
    };
    let Some(map) = doc.as_object() else {
        return Some(
            Finding::new(
                "document",
                ex,
                "a JSON object at the top level",
                json_type(doc),
            )
            .source(SOURCE),
        );
    };
    match (map.contains_key("data"), map.contains_key("errors")) {
        (true, false) | (false, true) => None,
        // JSON:API 1.0: at least one of data, errors, meta; a meta-only document is one.
        (false, false) if map.contains_key("meta") => None,
        (true, true) => {
            Some(Finding::new("document", ex, "`data` or `errors`", "both").source(SOURCE))
        }
        (false, false) => {
            let keys = map.keys().cloned().collect::<Vec<_>>().join(", ");
            Some(
                Finding::new(
                    "document",
                    ex,
                    "`data` or `errors`",
                    format!("neither (keys: {keys})"),
                )
                .source(SOURCE),
            )
        }
    }
}

/// Every `errors[].status` (a string or a number) equals the HTTP status.
pub fn error_status_matches(ex: &Exchange) -> Vec<Finding> {
    let Some(response) = ex.response() else {
        return Vec::new();
    };
    let Some(doc) = response.json() else {
        return Vec::new();
    };
    let Some(errors) = doc.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    let expected = response.status.to_string();
    errors
        .iter()
        .enumerate()
        .filter_map(|(i, error)| {
            let status = error.get("status")?;
            let same = match status {
                Value::String(s) => s.trim() == expected,
                Value::Number(n) => n.as_u64() == Some(u64::from(response.status)),
                _ => false,
            };
            (!same).then(|| {
                Finding::new("error-status", ex, expected.clone(), status.to_string())
                    .at(format!("/errors/{i}/status"))
                    .source(SOURCE)
            })
        })
        .collect()
}

/// Timestamps (members named `*-at`) are RFC 3339 in UTC with a literal `Z`: go-tfe cannot
/// parse `+00:00` (reference §2).
pub fn timestamps_utc(ex: &Exchange) -> Vec<Finding> {
    let Some(doc) = ex.json() else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    let mut path: Vec<Step<'_>> = Vec::new();
    walk_timestamps(doc, &mut path, &mut |path, value| {
        let parses = chrono::DateTime::parse_from_rfc3339(value).is_ok();
        if !(parses && value.ends_with('Z')) {
            findings.push(
                Finding::new(
                    "timestamp",
                    ex,
                    "an RFC 3339 UTC timestamp ending in Z",
                    format!("{value:?}"),
                )
                .at(pointer(path))
                .source("ref §2 (go-tfe parses only ...Z)"),
            );
        }
    });
    findings
}

/// One step into a JSON document; the pointer is only spelled out for a finding.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn walk_timestamps<'a>(
    value: &'a Value,
    path: &mut Vec<Step<'a>>,
    f: &mut impl FnMut(&[Step<'a>], &str),
) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Step::Key(key));
                match child {
                    Value::String(s) if key.ends_with("-at") => f(path, s),
                    _ => walk_timestamps(child, path, f),
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk_timestamps(child, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

//! Checks against the spec itself: the status is one the operation documents, and the body is
//! what the spec says for that status.

use super::Finding;
use crate::{exchange::Exchange, redact, spec::Spec};

/// The response status is documented for the exchange's operation.
pub fn status_documented(spec: &Spec, ex: &Exchange) -> Option<Finding> {
    let response = ex.response()?;
    let op = spec.operation(ex.operation)?;
    if op.responses.contains_key(&response.status) {
        return None;
    }
    let documented = op
        .responses
        .keys()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Some(
        Finding::new(
            "undocumented-status",
            ex,
            format!("one of {documented}"),
            response.status.to_string(),
        )
        .source(format!("spec {}", op.id)),
    )
}

/// The body is what the spec documents for the status: valid against its schema, or empty
/// where the spec documents no content. Undocumented statuses are left to `status_documented`.
pub fn body_matches(spec: &Spec, ex: &Exchange) -> Vec<Finding> {
    let Some(response) = ex.response() else {
        return Vec::new();
    };
    let Some(op) = spec.operation(ex.operation) else {
        return Vec::new();
    };
    let Some(documented) = op.responses.get(&response.status) else {
        return Vec::new();
    };
    let source = format!("spec {} {}", op.id, response.status);
    let Some(schema) = &documented.schema else {
        if response.body.is_empty() {
            return Vec::new();
        }
        return vec![
            Finding::new(
                "schema",
                ex,
                "no body",
                redact::excerpt(&response.body, 120),
            )
            .source(source),
        ];
    };
    let Some(doc) = response.json() else {
        let actual = if response.body.is_empty() {
            "an empty body".to_string()
        } else {
            format!("not JSON: {}", redact::excerpt(&response.body, 120))
        };
        return vec![
            Finding::new(
                "schema",
                ex,
                format!("a JSON body of schema {schema}"),
                actual,
            )
            .source(source),
        ];
    };
    spec.validate(schema, doc)
        .into_iter()
        .map(|v| {
            Finding::new(
                "schema",
                ex,
                format!("a body valid against {schema}"),
                v.message,
            )
            .at(v.pointer)
            .source(format!("{source}, schema {}", v.schema_path))
        })
        .collect()
}

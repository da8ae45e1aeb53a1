//! One operation of the spec, as read from the document build.rs converted: method, path
//! template, documented responses, source and profiles.

use std::collections::BTreeMap;

use http::Method;
use serde_json::Value;

use crate::segment::encode_segment;

/// One documented response of an operation.
#[derive(Clone, Debug)]
pub struct ResponseSpec {
    /// Component schema name of the body, if the response has one.
    pub schema: Option<String>,
    /// The documented media type of the body, if any.
    pub media_type: Option<String>,
    pub description: String,
}

/// One operation of the spec.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The spec's operationId (`createOrganizationToken`).
    pub id: String,
    /// The name the generated client uses for it (`create_organization_token`).
    pub alias: String,
    pub method: Method,
    /// Path template below the server URL (`/organizations/{organization_name}/authentication-token`).
    pub path: String,
    pub summary: String,
    /// Where the contract comes from (`x-source`).
    pub source: String,
    /// The profiles whose API has the operation (`x-profiles`); none: every profile.
    pub profiles: Option<Vec<String>>,
    pub responses: BTreeMap<u16, ResponseSpec>,
}

impl Operation {
    /// Whether the API of profile `name` (`tfe`, `hcp`, `legacy`) has this operation.
    pub fn in_profile(&self, name: &str) -> bool {
        self.profiles
            .as_ref()
            .is_none_or(|p| p.iter().any(|q| q == name))
    }

    /// The path with its parameters filled in (each value percent-encoded as a path segment).
    pub fn path_with(&self, params: &[(&str, &str)]) -> String {
        let mut path = self.path.clone();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
        }
        debug_assert!(!path.contains('{'), "unfilled parameter in {path}");
        path
    }
}

pub(super) fn operation(
    doc: &Value,
    path: &str,
    method: Method,
    op: &Value,
) -> Result<Operation, String> {
    let id = op["operationId"]
        .as_str()
        .ok_or("operationId is not a string")?;
    let mut responses = BTreeMap::new();
    for (status, response) in op["responses"].as_object().ok_or("no responses")? {
        let status: u16 = status
            .parse()
            .map_err(|_| format!("{id}: response key {status} is not a status"))?;
        let response = resolve(doc, response)?;
        let content = response.get("content").and_then(Value::as_object);
        let (media_type, schema) = match content.and_then(|c| c.iter().next()) {
            Some((media, body)) => {
                let schema = body
                    .pointer("/schema/$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .ok_or(format!(
                        "{id} {status}: body schema must be a component $ref"
                    ))?;
                (Some(media.clone()), Some(schema.to_string()))
            }
            None => (None, None),
        };
        responses.insert(
            status,
            ResponseSpec {
                schema,
                media_type,
                description: response["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            },
        );
    }
    Ok(Operation {
        id: id.to_string(),
        alias: snake_case(id),
        method,
        path: path.to_string(),
        summary: op["summary"].as_str().unwrap_or_default().to_string(),
        source: op["x-source"].as_str().unwrap_or_default().to_string(),
        profiles: match op.get("x-profiles") {
            None => None,
            Some(list) => Some(
                list.as_array()
                    .and_then(|l| {
                        l.iter()
                            .map(|p| p.as_str().map(String::from))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or(format!("{id}: x-profiles must be a list of profile names"))?,
            ),
        },
        responses,
    })
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> Result<&'a Value, String> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .ok_or(format!("unresolved $ref {r}")),
        None => Ok(value),
    }
}

/// progenitor's method names: `createOrganizationToken` -> `create_organization_token`.
fn snake_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

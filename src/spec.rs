//! The spec at run time: the operation table (method, path template, documented statuses and
//! their schemas) and one compiled JSON Schema validator per response schema. Everything is
//! read from the copy build.rs converted, so there is no second, hand-kept copy of any schema.
//! Built once per process and shared by every trial.

use std::{
    collections::{BTreeMap, HashMap},
    sync::OnceLock,
};

use http::Method;
use serde_json::{Value, json};

use crate::segment::encode_segment;

const SPEC_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/spec.json"));

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

/// A place where a document breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON pointer into the document.
    pub pointer: String,
    /// JSON pointer into the schema (which keyword failed).
    pub schema_path: String,
    pub message: String,
}

/// The whole spec, ready to judge responses.
pub struct Spec {
    operations: Vec<Operation>,
    /// Operation index by operationId and by the client's name for it.
    by_name: HashMap<String, usize>,
    validators: HashMap<String, jsonschema::Validator>,
    /// `components/schemas`, for `declared`.
    schemas: Value,
}

/// How deep `declared` follows a schema (the spec has no recursive schema; this bounds a bad one).
const MAX_SCHEMA_DEPTH: usize = 32;

impl Spec {
    /// The spec compiled into this binary; built on first use, then shared.
    pub fn get() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let doc: Value = serde_json::from_str(SPEC_JSON).expect("build.rs wrote valid JSON");
            Spec::from_document(&doc).expect("the spec compiled into the binary is consistent")
        })
    }

    pub fn from_document(doc: &Value) -> Result<Spec, String> {
        let mut operations = Vec::new();
        let paths = doc["paths"].as_object().ok_or("spec has no paths")?;
        for (path, item) in paths {
            let item = item.as_object().ok_or("path item is not an object")?;
            for (method, op) in item {
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                if method == Method::OPTIONS || op.get("operationId").is_none() {
                    continue;
                }
                operations.push(operation(doc, path, method, op)?);
            }
        }
        let mut validators = HashMap::new();
        let schemas = doc
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or(json!({}));
        for op in &operations {
            for response in op.responses.values() {
                let Some(name) = &response.schema else {
                    continue;
                };
                if validators.contains_key(name) {
                    continue;
                }
                validators.insert(name.clone(), compile(&schemas, name)?);
            }
        }
        let mut by_name = HashMap::new();
        for (i, op) in operations.iter().enumerate() {
            by_name.insert(op.id.clone(), i);
            by_name.insert(op.alias.clone(), i);
        }
        Ok(Spec {
            operations,
            by_name,
            validators,
            schemas,
        })
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Looks an operation up by operationId or by the generated client's name for it.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_name.get(id).map(|i| &self.operations[*i])
    }

    /// Like `operation`, for ids the harness itself names: a miss is a harness bug.
    pub fn op(&self, id: &str) -> &Operation {
        self.operation(id)
            .unwrap_or_else(|| panic!("the harness names operation {id:?}, which the spec lacks"))
    }

    /// Every violation of schema `name` in `instance` (not only the first). The schemas of
    /// responses are compiled once, up front; any other (a request body's) on each call.
    pub fn validate(&self, name: &str, instance: &Value) -> Vec<SchemaViolation> {
        let compiled;
        let validator = match self.validators.get(name) {
            Some(v) => v,
            None if self.schemas.get(name).is_some() => match compile(&self.schemas, name) {
                Ok(v) => {
                    compiled = v;
                    &compiled
                }
                Err(message) => {
                    return vec![SchemaViolation {
                        pointer: String::new(),
                        schema_path: format!("#/components/schemas/{name}"),
                        message,
                    }];
                }
            },
            None => {
                return vec![SchemaViolation {
                    pointer: String::new(),
                    schema_path: format!("#/components/schemas/{name}"),
                    message: format!("the spec has no schema {name}"),
                }];
            }
        };
        validator
            .iter_errors(instance)
            .map(|e| SchemaViolation {
                pointer: e.instance_path().to_string(),
                schema_path: e.schema_path().to_string(),
                message: shorten(&crate::redact::text(&e.to_string()), 240),
            })
            .collect()
    }
}

impl Spec {
    /// `instance` with only the members schema `name` declares, at every depth: what the spec
    /// says of a document, without what a server may add to it (extra attributes, links,
    /// meta). An object schema that declares no properties keeps everything.
    pub fn declared(&self, name: &str, instance: &Value) -> Value {
        let root = json!({ "$ref": format!("#/components/schemas/{name}") });
        self.project(&root, instance, 0)
    }

    fn project(&self, schema: &Value, instance: &Value, depth: usize) -> Value {
        if depth > MAX_SCHEMA_DEPTH {
            return instance.clone();
        }
        let branches = self.branches(schema, depth);
        match instance {
            Value::Object(members) => {
                let declared: Vec<(&String, &Value)> = branches
                    .iter()
                    .filter_map(|b| b.get("properties").and_then(Value::as_object))
                    .flatten()
                    .collect();
                if declared.is_empty() {
                    return instance.clone();
                }
                Value::Object(
                    members
                        .iter()
                        .filter_map(|(key, value)| {
                            let (_, sub) = declared.iter().find(|(k, _)| *k == key)?;
                            Some((key.clone(), self.project(sub, value, depth + 1)))
                        })
                        .collect(),
                )
            }
            Value::Array(items) => match branches.iter().find_map(|b| b.get("items")) {
                Some(sub) => Value::Array(
                    items
                        .iter()
                        .map(|item| self.project(sub, item, depth + 1))
                        .collect(),
                ),
                None => instance.clone(),
            },
            other => other.clone(),
        }
    }

    /// `schema` and everything it is composed of (`$ref`, `allOf`, `anyOf`, `oneOf`), resolved.
    fn branches<'a>(&'a self, schema: &'a Value, depth: usize) -> Vec<&'a Value> {
        if depth > MAX_SCHEMA_DEPTH {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            && let Some(target) = self.schemas.get(name)
        {
            out.extend(self.branches(target, depth + 1));
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.extend(self.branches(sub, depth + 1));
            }
        }
        out.push(schema);
        out
    }
}

/// A validator for `components/schemas/{name}`, formats checked, no `$ref` fetched.
fn compile(schemas: &Value, name: &str) -> Result<jsonschema::Validator, String> {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": {"schemas": schemas},
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .offline()
        .build(&root)
        .map_err(|e| format!("schema {name}: {e}"))
}

fn shorten(s: &str, limit: usize) -> String {
    if s.chars().count() <= limit {
        return s.to_string();
    }
    let cut: String = s.chars().take(limit).collect();
    format!("{cut}...")
}

fn operation(doc: &Value, path: &str, method: Method, op: &Value) -> Result<Operation, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_indexed_both_ways() {
        let spec = Spec::get();
        let op = spec.op("createOrganizationToken");
        assert_eq!(op.alias, "create_organization_token");
        assert_eq!(op.method, Method::POST);
        assert!(std::ptr::eq(op, spec.op("create_organization_token")));
        assert_eq!(
            op.responses[&201].schema.as_deref(),
            Some("AuthenticationTokenDocument")
        );
        assert_eq!(op.responses[&404].schema.as_deref(), Some("ErrorDocument"));
        assert!(
            spec.op("deleteOrganizationToken").responses[&204]
                .schema
                .is_none()
        );
        assert_eq!(
            op.path_with(&[("organization_name", "a b")]),
            "/organizations/a%20b/authentication-token"
        );
    }

    #[test]
    fn nullable_fields_accept_null_and_types_are_enforced() {
        let spec = Spec::get();
        let mut doc = json!({"data": {"id": "1", "type": "authentication-tokens",
            "attributes": {"created-at": "2017-11-29T19:18:09.976Z", "last-used-at": null,
                "description": null, "token": null, "expired-at": null},
            "relationships": {"created-by": {"data": null}}}});
        assert_eq!(spec.validate("AuthenticationTokenDocument", &doc), vec![]);
        doc["data"]["type"] = json!("authentication-token");
        doc["data"]["attributes"]["created-at"] = json!(null);
        let violations = spec.validate("AuthenticationTokenDocument", &doc);
        let pointers: Vec<_> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert!(pointers.contains(&"/data/type"), "{violations:?}");
        assert!(
            pointers.contains(&"/data/attributes/created-at"),
            "{violations:?}"
        );
        let bad_time = json!({"data": {"id": "1", "type": "authentication-tokens",
            "attributes": {"created-at": "yesterday", "last-used-at": null,
                "description": null, "token": null},
            "relationships": {"created-by": {"data": {"id": "u", "type": "users"}}}}});
        assert_eq!(
            spec.validate("AuthenticationTokenDocument", &bad_time)
                .len(),
            1
        );
        assert_eq!(
            spec.validate("ErrorDocument", &json!({"errors": [{"status": 429}]})),
            vec![]
        );
        assert_eq!(
            spec.validate("ErrorDocument", &json!({"errors": []})).len(),
            1
        );
    }

    /// Documents in the shapes HashiCorp's docs pages show (values made up here): each of
    /// these once failed, or would fail, a stricter reading of the spec (ref §2, §6).
    #[test]
    fn documents_shaped_like_the_docs_samples_validate() {
        let spec = Spec::get();
        let token = |id: &str, relationships: Value| {
            json!({"id": id, "type": "authentication-tokens",
                "attributes": {"created-at": "2024-02-01T10:00:00.123Z", "last-used-at": null,
                    "description": null, "token": null, "expired-at": null},
                "relationships": relationships})
        };
        let by_user = json!({"created-by": {"data": {"id": "user-abc", "type": "users"}}});
        let cases = [
            // Organization token create: numeric id, the secret, no team.
            (
                "AuthenticationTokenDocument",
                json!({"data": token("4111756", by_user.clone())}),
            ),
            // A team token whose team HashiCorp's OpenAPI file lets be null.
            (
                "AuthenticationTokenDocument",
                json!({"data": token("at-x", json!({"created-by": {"data": null},
                    "team": {"data": null}}))}),
            ),
            // Team-token list samples: neither links nor meta.
            (
                "PaginatedTokenListDocument",
                json!({"data": [token("at-y", json!({"created-by": {"data": null},
                    "team": {"data": {"id": "team-z", "type": "teams"}}}))]}),
            ),
            // User-token list: created-by null, no paging members.
            (
                "AuthenticationTokenListDocument",
                json!({"data": [token("at-u", json!({"created-by": {"data": null}}))]}),
            ),
            // The API overview's 429: a numeric status.
            (
                "ErrorDocument",
                json!({"errors": [{"status": 429, "title": "Too many requests"}]}),
            ),
            // Create team answers the team with attributes the spec does not list.
            (
                "TeamDocument",
                json!({"data": {"id": "team-6p5jTwJQXwqZBncC", "type": "teams",
                    "attributes": {"name": "t", "users-count": 0, "visibility": "organization"},
                    "links": {"self": "/api/v2/teams/team-6p5jTwJQXwqZBncC"}}}),
            ),
            // Request bodies as the docs write them: singular type, or a description.
            (
                "TokenCreateRequest",
                json!({"data": {"type": "authentication-token",
                    "attributes": {"expired-at": "2024-04-06T12:00:00.000Z"}}}),
            ),
            (
                "DescribedTokenCreateRequest",
                json!({"data": {"type": "authentication-tokens",
                    "attributes": {"description": "api", "expired-at": "2024-04-06T12:00:00.000Z"}}}),
            ),
            (
                "TokenReferenceList",
                json!({"data": [{"type": "authentication-tokens", "id": "at-1"}]}),
            ),
        ];
        for (schema, doc) in cases {
            assert_eq!(spec.validate(schema, &doc), vec![], "{schema}: {doc}");
        }
    }

    /// Agent-token documents in the shapes of the agent-tokens docs samples (values made up
    /// here): no expired-at, no team relationship, a last-used-at, a list with links and a
    /// meta.pagination without page-size; request bodies as the docs and go-tfe send them.
    #[test]
    fn agent_token_documents_shaped_like_the_docs_samples_validate() {
        let spec = Spec::get();
        let agent_token = |id: &str, secret: Value, last_used: Value| {
            json!({"id": id, "type": "authentication-tokens",
                "attributes": {"created-at": "2023-03-14T09:26:53.589Z", "last-used-at": last_used,
                    "description": "build agents", "token": secret},
                "relationships": {"created-by": {"data": {"id": "user-Q2w3E4r5T6y7U8i9",
                    "type": "users"}}}})
        };
        let link = "https://tfe.example.com/api/v2/agent-pools/apool-Z9x8C7v6B5n4M3l2/\
                    authentication-tokens?page%5Bnumber%5D=1&page%5Bsize%5D=20";
        let cases = [
            // List: a used token, links and pagination without page-size.
            (
                "listAgentTokens",
                200,
                json!({"data": [agent_token("at-Hj8Kl9Mn0Pq1Rs2T", Value::Null,
                        json!("2023-03-14T10:01:02.003Z"))],
                    "links": {"self": link, "first": link, "prev": null, "next": null,
                        "last": link},
                    "meta": {"pagination": {"current-page": 1, "prev-page": null,
                        "next-page": null, "total-pages": 1, "total-count": 1}}}),
            ),
            // Show by id: the secret null.
            (
                "getAuthenticationToken",
                200,
                json!({"data": agent_token("at-Hj8Kl9Mn0Pq1Rs2T", Value::Null,
                    json!("2023-03-14T10:01:02.003Z"))}),
            ),
            // Create: the secret, never used yet.
            (
                "createAgentToken",
                201,
                json!({"data": agent_token("at-Uv3Wx4Yz5Ab6Cd7E",
                    json!("made-up.atlasv1.not-a-real-secret"),
                    Value::Null)}),
            ),
        ];
        for (operation, status, doc) in cases {
            let schema = spec.op(operation).responses[&status]
                .schema
                .clone()
                .expect("documented with a body");
            assert_eq!(
                spec.validate(&schema, &doc),
                vec![],
                "{operation} {status}: {doc}"
            );
        }
        for body in [
            // The docs' payload, and go-tfe's type.
            json!({"data": {"type": "authentication-tokens", "attributes": {"description": "api"}}}),
            json!({"data": {"type": "agent-tokens", "attributes": {"description": "api"}}}),
        ] {
            assert_eq!(
                spec.validate("AgentTokenCreateRequest", &body),
                vec![],
                "{body}"
            );
        }
        // A description is required.
        let bare = json!({"data": {"type": "authentication-tokens", "attributes": {}}});
        assert_eq!(spec.validate("AgentTokenCreateRequest", &bare).len(), 1);
        // The pool fixtures, as the agents docs show them (many more members, all allowed).
        let pool = json!({"data": {"id": "apool-Z9x8C7v6B5n4M3l2", "type": "agent-pools",
            "attributes": {"name": "builders", "created-at": "2023-03-14T09:00:00.000Z",
                "organization-scoped": true, "agent-count": 0},
            "relationships": {"authentication-tokens": {"links": {"related":
                "/api/v2/agent-pools/apool-Z9x8C7v6B5n4M3l2/authentication-tokens"}},
                "workspaces": {"data": []}},
            "links": {"self": "/api/v2/agent-pools/apool-Z9x8C7v6B5n4M3l2"}}});
        assert_eq!(spec.validate("AgentPoolDocument", &pool), vec![]);
    }

    #[test]
    fn every_operation_documents_429_and_create_team_both_200_and_201() {
        let spec = Spec::get();
        for op in spec.operations() {
            assert!(op.responses.contains_key(&429), "{} lacks 429", op.id);
        }
        // The docs say 201, HashiCorp's OpenAPI file 200, for teams and agent pools alike.
        for operation in ["createTeam", "createAgentPool"] {
            let create = spec.op(operation);
            assert!(create.responses.contains_key(&200), "{operation}");
            assert!(create.responses.contains_key(&201), "{operation}");
        }
    }
}

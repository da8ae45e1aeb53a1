//! Judging documents against the spec's schemas: every violation of a schema, and what a
//! schema declares of a document (without what a server may add).

use serde_json::{Value, json};

use super::Spec;
use crate::redact;

/// A place where a document breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON pointer into the document.
    pub pointer: String,
    /// JSON pointer into the schema (which keyword failed).
    pub schema_path: String,
    pub message: String,
}

/// How deep `declared` follows a schema (the spec has no recursive schema; this bounds a bad one).
const MAX_SCHEMA_DEPTH: usize = 32;

impl Spec {
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
                message: shorten(&redact::text(&e.to_string()), 240),
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
pub(super) fn compile(schemas: &Value, name: &str) -> Result<jsonschema::Validator, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Snapshots need volatile values made stable: ids, timestamps and generated names become
//! numbered placeholders, on top of the same secret redaction.

use std::collections::HashMap;

use serde_json::Value;

use super::registry::{SECRET, text};

/// Makes documents from different servers, or from fresh instances of one server, comparable:
/// ids, secrets, timestamps and names the harness generated become numbered placeholders, in
/// order of first appearance, so that "the same id again" survives normalization. What is part
/// of the contract (keys, types, nullability, enum values, statuses) is kept.
#[derive(Debug, Default)]
pub struct Normalizer {
    ids: HashMap<String, String>,
    names: HashMap<String, String>,
    fixed: Vec<(String, String)>,
}

impl Normalizer {
    /// `organization` is replaced by `[organization]`; each of `generated` (names the harness
    /// made up for this run) by `[name:N]`.
    pub fn new(organization: &str, generated: &[String]) -> Self {
        let mut n = Self::default();
        n.fixed
            .push((organization.to_string(), "[organization]".into()));
        for name in generated {
            n.name(name);
        }
        n
    }

    fn name(&mut self, name: &str) -> String {
        let next = self.names.len() + 1;
        self.names
            .entry(name.to_string())
            .or_insert_with(|| format!("[name:{next}]"))
            .clone()
    }

    fn id(&mut self, id: &str) -> String {
        let next = self.ids.len() + 1;
        self.ids
            .entry(id.to_string())
            .or_insert_with(|| format!("[id:{next}]"))
            .clone()
    }

    /// Whether `id` appeared in anything normalized so far.
    pub fn knows(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// The order in which `id` first appeared.
    pub fn seen_at(&self, id: &str) -> Option<usize> {
        let placeholder = self.ids.get(id)?;
        placeholder
            .trim_start_matches("[id:")
            .trim_end_matches(']')
            .parse()
            .ok()
    }

    /// A path or free string: known ids, names and the organization replaced, and the scheme,
    /// host and port of an absolute URL (they differ from server to server).
    pub fn string(&self, s: &str) -> String {
        let mut out = text(s);
        for scheme in ["http://", "https://"] {
            if let Some(rest) = out.strip_prefix(scheme) {
                let path = rest.find('/').map_or("", |i| &rest[i..]);
                out = format!("[origin]{path}");
                break;
            }
        }
        if let Some(p) = self.ids.get(&out).or_else(|| self.names.get(&out)) {
            return p.clone();
        }
        let mut known: Vec<(&String, &String)> = self
            .ids
            .iter()
            .chain(self.names.iter())
            .chain(self.fixed.iter().map(|(a, b)| (a, b)))
            .collect();
        known.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (value, placeholder) in known {
            if value.len() >= 3 && out.contains(value.as_str()) {
                out = replace_whole(&out, value, placeholder);
            }
        }
        out
    }

    /// Normalizes a JSON document. Ids are collected in a first pass so that a link naming an
    /// id before the `id` member itself (keys are sorted) still gets the same placeholder.
    pub fn value(&mut self, value: &Value) -> Value {
        self.collect_ids(value);
        self.rewrite(value, None)
    }

    fn collect_ids(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("id") {
                    self.id(id);
                }
                map.values().for_each(|v| self.collect_ids(v));
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect_ids(v)),
            _ => {}
        }
    }

    fn rewrite(&mut self, value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.rewrite(v, Some(k))))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.rewrite(v, key)).collect())
            }
            Value::String(s) => Value::String(match key {
                Some("token") => SECRET.to_string(),
                Some("id") => self.id(s),
                // Free text the contract leaves to the server.
                Some("title" | "detail") => "[text]".to_string(),
                _ if is_timestamp(s) => "[timestamp]".to_string(),
                _ => self.string(s),
            }),
            other => other.clone(),
        }
    }
}

/// `text` with every occurrence of `value` that stands on its own (not inside a longer run of
/// letters and digits) replaced: an id `100` is replaced in `/tokens/100` but not in
/// `page[size]=1000` or `at-1005`.
fn replace_whole(text: &str, value: &str, with: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(value) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + value.len()..].chars().next();
        let starts_word = word(value.chars().next()) && word(before);
        let ends_word = word(value.chars().next_back()) && word(after);
        out.push_str(&rest[..at]);
        if starts_word || ends_word {
            out.push_str(value);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + value.len()..];
    }
    out.push_str(rest);
    out
}

fn is_timestamp(s: &str) -> bool {
    s.len() >= 19
        && s.as_bytes().get(4) == Some(&b'-')
        && s.as_bytes()
            .get(10)
            .is_some_and(|b| *b == b'T' || *b == b't')
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn normalizer_keeps_identity_and_shape() {
        let mut n = Normalizer::new("acme", &["tfe-contract-x1".into()]);
        let doc = json!({"data": {"id": "at-1", "type": "authentication-tokens",
            "attributes": {"created-at": "2024-01-01T00:00:00.000Z", "last-used-at": null,
                "token": "s3cr3t-value", "description": "tfe-contract-x1"},
            "links": {"self": "/api/v2/authentication-tokens/at-1"}},
            "errors": [{"status": "404", "title": "not found"}]});
        let out = n.value(&doc);
        assert_eq!(
            out,
            json!({"data": {"id": "[id:1]", "type": "authentication-tokens",
                "attributes": {"created-at": "[timestamp]", "last-used-at": null,
                    "token": "[secret]", "description": "[name:1]"},
                "links": {"self": "/api/v2/authentication-tokens/[id:1]"}},
                "errors": [{"status": "404", "title": "[text]"}]})
        );
        assert_eq!(
            n.string("/api/v2/organizations/acme"),
            "/api/v2/organizations/[organization]"
        );
        let again = n.value(&json!({"id": "at-2"}));
        assert_eq!(again, json!({"id": "[id:2]"}));
    }
}

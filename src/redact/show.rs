//! Values fit to show: JSON documents with their secrets replaced, header values (credentials
//! never), and short excerpts of bodies for failure messages.

use serde_json::Value;

use super::registry::{SECRET, text};

/// A JSON value with secrets replaced: `token` fields holding a string become the placeholder
/// whatever their value, and registered secrets are replaced inside every other string.
pub fn json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("token", Value::String(_)) => Value::String(SECRET.into()),
                        _ => json(v),
                    };
                    (text(k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        Value::String(s) => Value::String(text(s)),
        other => other.clone(),
    }
}

/// A header value fit to show: credentials are never shown, whatever they hold.
pub fn header(name: &str, value: &[u8]) -> String {
    if name.eq_ignore_ascii_case("authorization") {
        let shown = String::from_utf8_lossy(value);
        return match shown.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {SECRET}"),
            None => SECRET.to_string(),
        };
    }
    text(&String::from_utf8_lossy(value))
}

/// A short, redacted excerpt of a body for a failure message. A body that is not JSON (cut
/// short, say) may still hold a `"token": "..."` member whose value was cut before it could be
/// recognized as a secret: such values are masked as well.
pub fn excerpt(body: &[u8], limit: usize) -> String {
    let shown = match serde_json::from_slice::<Value>(body) {
        Ok(value) => json(&value).to_string(),
        Err(_) => mask_token_members(&text(&String::from_utf8_lossy(body))),
    };
    let shown: String = shown.chars().filter(|c| !c.is_control()).collect();
    if shown.chars().count() <= limit {
        shown
    } else {
        let cut: String = shown.chars().take(limit).collect();
        format!("{cut}... ({} bytes in all)", body.len())
    }
}

/// Replaces the value of every `"token": "..."` in a text that is not valid JSON, up to its
/// closing quote or the end of the text.
fn mask_token_members(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\"token\"") {
        let after_key = &rest[at + 7..];
        let trimmed = after_key.trim_start();
        let Some(value) = trimmed.strip_prefix(':').map(str::trim_start) else {
            out.push_str(&rest[..at + 7]);
            rest = after_key;
            continue;
        };
        let Some(inner) = value.strip_prefix('"') else {
            out.push_str(&rest[..at + 7]);
            rest = after_key;
            continue;
        };
        let head_len = rest.len() - inner.len();
        out.push_str(&rest[..head_len]);
        match inner.find('"') {
            Some(end) => {
                out.push_str(SECRET);
                rest = &inner[end..];
            }
            None => {
                out.push_str(SECRET);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::redact::{Secret, register};

    use super::*;

    #[test]
    fn secrets_are_replaced_everywhere() {
        let s = Secret::new("abcdefghijklmn.atlasv1.redact-unit-test-secret");
        assert_eq!(format!("{s} {s:?}"), "[secret] [secret]");
        assert_eq!(text(&format!("x {} y", s.expose())), "x [secret] y");
        assert_eq!(
            json(&json!({"a": [format!("Bearer {}", s.expose())], "token": "anything"})),
            json!({"a": ["Bearer [secret]"], "token": "[secret]"})
        );
        assert_eq!(
            header("Authorization", b"Bearer whatever"),
            "Bearer [secret]"
        );
    }

    #[test]
    fn token_members_are_masked_in_broken_json() {
        let cut = br#"{"data":{"attributes":{"token":"AbCdEfGhIj"#;
        assert_eq!(
            excerpt(cut, 200),
            r#"{"data":{"attributes":{"token":"[secret]"#
        );
        let whole = br#"{"token" : "abc", "x": "token"} trailing"#;
        assert_eq!(
            excerpt(whole, 200),
            r#"{"token" : "[secret]", "x": "token"} trailing"#
        );
    }

    #[test]
    fn excerpt_is_short_and_redacted() {
        register("excerpt-unit-secret");
        let e = excerpt(
            b"<html>excerpt-unit-secret and a lot more text here</html>",
            20,
        );
        assert!(e.starts_with("<html>[secret] and a"), "{e}");
        assert!(e.contains("bytes in all"));
    }
}

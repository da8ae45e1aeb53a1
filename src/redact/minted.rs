//! What a server minted: every value under a `token` key of a JSON body, and anything shaped
//! like a TFE secret in any body, registered before anything renders the body.

use serde_json::Value;

use super::registry::register;

/// Registers what a server minted, found in a response body: every string under a `token` key
/// of a JSON document, and anything shaped like a TFE secret (`<14>.atlasv1.<67>`), so that a
/// secret is caught even in a body that is not valid JSON. `parsed` gives the body as JSON
/// (a caller that already has it parsed passes that). Returns what it found.
pub fn register_minted<'a>(body: &[u8], parsed: impl FnOnce() -> Option<&'a Value>) -> Vec<String> {
    let mut found = Vec::new();
    // Any JSON body is walked, not only one whose bytes say `"token"`: a key may be written
    // with escapes (`"\u0074oken"`) that only a parser sees through.
    if body
        .first()
        .is_some_and(|b| matches!(b, b'{' | b'[' | b' ' | b'\n' | b'\r' | b'\t'))
        && let Some(value) = parsed()
    {
        collect_token_fields(value, &mut found);
    }
    if memchr::memmem::find(body, b".atlasv1.").is_none() {
        found.retain(|s| !s.is_empty());
        for secret in &found {
            register(secret);
        }
        return found;
    }
    let text = String::from_utf8_lossy(body);
    let mut rest: &str = &text;
    while let Some(at) = rest.find(".atlasv1.") {
        let start = rest[..at]
            .rfind(|c: char| !is_token_char(c))
            .map_or(0, |i| i + 1);
        let end_rel = rest[at + 9..]
            .find(|c: char| !is_token_char(c))
            .unwrap_or(rest.len() - at - 9);
        let candidate = &rest[start..at + 9 + end_rel];
        found.push(candidate.to_string());
        rest = &rest[at + 9 + end_rel..];
    }
    found.retain(|s| !s.is_empty());
    for secret in &found {
        register(secret);
    }
    found
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Every value under a `token` key: a string as it is, a number as written, and whatever an
/// object or array under it holds (a server may wrap its secret).
fn collect_token_fields(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "token" {
                    collect_all(child, found);
                } else {
                    collect_token_fields(child, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_token_fields(v, found)),
        _ => {}
    }
}

fn collect_all(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(s) => found.push(s.clone()),
        Value::Number(n) => found.push(n.to_string()),
        Value::Object(map) => map.values().for_each(|v| collect_all(v, found)),
        Value::Array(items) => items.iter().for_each(|v| collect_all(v, found)),
        Value::Null | Value::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::{SECRET, forget, text};

    use super::*;

    #[test]
    fn a_secret_under_an_escaped_key_or_of_another_type_is_found() {
        let body = br#"{"data":{"attributes":{"\u0074oken":"EscapedKeySecret.xyz123"}}}"#;
        let parsed: Value = serde_json::from_slice(body).unwrap();
        let found = super::register_minted(body, || Some(&parsed));
        assert_eq!(found, ["EscapedKeySecret.xyz123"]);
        assert_eq!(text("EscapedKeySecret.xyz123"), "[secret]");
        let body = br#"{"token": 918273645546372819}"#;
        let parsed: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            super::register_minted(body, || Some(&parsed)),
            ["918273645546372819"]
        );
        let body = br#"{"token": {"value": "WrappedSecretValue99"}}"#;
        let parsed: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            super::register_minted(body, || Some(&parsed)),
            ["WrappedSecretValue99"]
        );
    }

    fn register_minted(body: &[u8]) -> Vec<String> {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        super::register_minted(body, || parsed.as_ref())
    }

    #[test]
    fn minted_secrets_are_found_in_json_and_in_garbage() {
        register_minted(br#"{"data":{"attributes":{"token":"minted-unit-test-1"}}}"#);
        assert_eq!(text("minted-unit-test-1"), SECRET);
        register_minted(b"<html>oops Zx9Zx9Zx9Zx9Zx.atlasv1.QQQQ-unit</html>");
        assert_eq!(text("a Zx9Zx9Zx9Zx9Zx.atlasv1.QQQQ-unit b"), "a [secret] b");
        // A short one is replaced only where it stands alone.
        register_minted(br#"{"token":"q7"}"#);
        assert_eq!(text("q7"), SECRET);
        assert_eq!(text("aq7b"), "aq7b");
        let found = register_minted(br#"{"token":"forget-unit-test-secret"}"#);
        assert_eq!(text("forget-unit-test-secret"), SECRET);
        forget(&found);
        assert_eq!(text("forget-unit-test-secret"), "forget-unit-test-secret");
    }
}

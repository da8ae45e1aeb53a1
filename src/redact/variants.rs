//! The forms a secret may be written in where it could leak: escaped, percent-encoded,
//! base64-encoded.

use std::collections::HashSet;

/// The forms a secret is written in where it could leak, besides itself in any ASCII case
/// (the matcher ignores case): its JSON string escaping and every character `\u`-escaped,
/// percent-encoded (sparing unreserved punctuation or not), and base64 (standard and URL-safe; without padding, which also finds the
/// padded form, padding aside). Forms that equal another, case aside, are kept once: for the
/// usual secret of letters, digits and dots that is four patterns.
pub(super) fn variants(secret: &str) -> Vec<Box<str>> {
    use base64::Engine;
    let mut forms: Vec<String> = vec![secret.to_string()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    forms.push(json.trim_matches('"').to_string());
    forms.push(
        secret
            .encode_utf16()
            .map(|u| format!("\\u{u:04x}"))
            .collect(),
    );
    forms.push(crate::segment::encode_segment(secret));
    // Percent-encoded without sparing the unreserved punctuation (`.` as `%2E`), as some do.
    forms.push(
        secret
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect(),
    );
    forms.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret));
    forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
    let mut seen = HashSet::new();
    forms
        .into_iter()
        .map(|f| f.to_ascii_lowercase())
        .filter(|f| !f.is_empty() && seen.insert(f.clone()))
        .map(String::into_boxed_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::redact::{Secret, text};

    #[test]
    fn every_usual_encoding_of_a_secret_is_replaced() {
        use base64::Engine;
        let value = "EncodedSecret14.atlasv1.redact-encodings-unit-test-secret+/=";
        Secret::new(value);
        let b64 = base64::engine::general_purpose::STANDARD.encode(value);
        let url_b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value);
        let escaped: String = value
            .encode_utf16()
            .map(|u| format!("\\u{u:04x}"))
            .collect();
        for form in [
            value.to_string(),
            value.to_ascii_uppercase(),
            value.to_ascii_lowercase(),
            b64.clone(),
            b64.to_ascii_lowercase(),
            url_b64,
            escaped,
            crate::segment::encode_segment(value),
        ] {
            let shown = text(&format!("echo: {form}!"));
            assert_eq!(shown, "echo: [secret]!", "{form}");
        }
    }
}

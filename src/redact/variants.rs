//! The forms a secret is matched in: itself, and what base64 makes of it. Everything a server
//! may do byte by byte (percent-encoding, JSON and `\u` escapes, HTML references) is undone on
//! the text before matching (`decode`), and case is ignored by the matcher, so those need no
//! form of their own; base64 is not byte by byte, so its forms are listed, and why the list
//! covers what decoding would is said below.

use std::collections::HashSet;

/// The secret, and its base64 forms (standard and URL-safe alphabet).
///
/// Why three forms per alphabet cover every base64 text that holds the secret: base64 turns
/// each group of three bytes into four characters, six bits each. Wherever the secret starts
/// in the bytes encoded, it starts at one of three offsets within a group (0, 1 or 2 bytes of
/// something else before it in its group). For each offset, the characters whose six bits come
/// from the secret's bytes alone are the same whatever surrounds it: the encoding of the
/// secret behind that many placeholder bytes, without the characters that mix in a byte
/// before it (none, the first two, the first three) or after it (the last, when the secret
/// does not end a group). Any base64 of bytes holding the secret (padded or not, with a
/// prefix such as `user:` in Basic credentials, or inside a longer document) holds one of the
/// three as a substring, and a secret of 8 characters or more leaves at least 8 of them.
pub(super) fn variants(secret: &str) -> Vec<Box<str>> {
    use base64::Engine;
    let mut forms: Vec<String> = vec![secret.to_string()];
    for engine in [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        for offset in 0..3usize {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(secret.as_bytes());
            let encoded = engine.encode(&bytes);
            let head = [0, 2, 3][offset];
            let tail = usize::from(!bytes.len().is_multiple_of(3));
            if encoded.len() > head + tail {
                forms.push(encoded[head..encoded.len() - tail].to_string());
            }
        }
    }
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

    fn percent_every_byte(s: &str) -> String {
        s.bytes().map(|b| format!("%{b:02X}")).collect()
    }

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
            percent_every_byte(value),
            percent_every_byte(value).to_ascii_lowercase(),
        ] {
            let shown = text(&format!("echo: {form}!"));
            assert_eq!(shown, "echo: [secret]!", "{form}");
        }
    }

    #[test]
    fn mixed_and_layered_encodings_are_replaced() {
        use base64::Engine;
        let value = "MixedSecret001.atlasv1.mixed-encodings-unit-test-secret";
        Secret::new(value);
        // Each byte in another way: raw, percent, \u, \x, an HTML reference, upper case.
        let mixed: String = value
            .bytes()
            .enumerate()
            .map(|(i, b)| match i % 6 {
                0 => char::from(b).to_string(),
                1 => format!("%{b:02x}"),
                2 => format!("\\u{:04X}", b),
                3 => format!("\\x{b:02x}"),
                4 => format!("&#{b};"),
                _ => char::from(b).to_ascii_uppercase().to_string(),
            })
            .collect();
        let twice = percent_every_byte(value).replace('%', "%25");
        let escaped_percent: String = percent_every_byte(value)
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        let b64 = |prefix: &str| {
            base64::engine::general_purpose::STANDARD.encode(format!("{prefix}{value}"))
        };
        for form in [
            mixed,
            twice,
            escaped_percent,
            b64("user:"),
            b64("x"),
            b64("xy"),
            percent_every_byte(&b64("ab")),
            base64::engine::general_purpose::URL_SAFE.encode(format!("k{value}tail")),
        ] {
            let shown = text(&format!("<{form}>"));
            assert!(!shown.contains(&form), "{form} -> {shown}");
            assert!(shown.contains("[secret]"), "{form} -> {shown}");
        }
    }
}

//! One value as one path segment: the encoder every path parameter goes through (the typed
//! client's, the spec's path templates, redaction's forms of a secret). It imports nothing of
//! the crate, so that everyone may use it without a circle.

/// How a value that no encoding can keep one segment (`""`, `.`, `..`) goes out: behind a
/// percent-encoded NUL, which the guard recognizes and refuses before anything is sent.
pub const UNSENDABLE: &str = "%00";

/// `value` as one path segment: everything but letters, digits and `-._~` percent-encoded
/// (`\`, `/`, `?`, `#` and `%` included), so that no value, however hostile, can add a segment
/// or leave the path. `.` and `..` alone cannot be made safe this way; the recorder refuses
/// to send a request whose path does not keep its template's shape.
pub fn encode_segment(value: &str) -> String {
    // `.`, `..` and nothing would vanish from the path when it is parsed (however they are
    // escaped): they go out marked, and the guard refuses them, naming the value.
    if matches!(value, "" | "." | "..") {
        return format!("{UNSENDABLE}{value}");
    }
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_stays_one_segment() {
        let cases = [
            ("a/b", "a%2Fb"),
            ("team-X\\..\\x", "team-X%5C..%5Cx"),
            ("a b?c#d%", "a%20b%3Fc%23d%25"),
            ("ok-._~9", "ok-._~9"),
            ("", "%00"),
            ("..", "%00.."),
        ];
        for (value, encoded) in cases {
            assert_eq!(encode_segment(value), encoded, "{value:?}");
        }
        assert!(encode_segment(".").starts_with(UNSENDABLE));
    }
}

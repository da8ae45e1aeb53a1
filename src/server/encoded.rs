//! A hostile mode (`Modes::echo_encoded`): a server that echoes every secret it sees or hands
//! out in encodings no list of forms would think of: every byte percent-encoded (legal URL
//! encoding of any byte, `%41%42...`), twice percent-encoded, each byte in another encoding,
//! `\u`-escaped percent-encoding, base64 behind a prefix (as in Basic credentials) and
//! percent-encoded base64. A harness that compares against a list of forms lets one through.

use std::sync::Mutex;

use axum::body::Body;
use http::{HeaderValue, Response, header};
use serde_json::Value;

/// The encodings of `secret` this mode echoes, as the string values it puts in a document
/// (serialized into JSON, a backslash among them is escaped once more).
pub fn encoded_forms(secret: &str) -> Vec<String> {
    use base64::Engine;
    let every_byte: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
    let mixed: String = secret
        .bytes()
        .enumerate()
        .map(|(i, b)| match i % 5 {
            0 => char::from(b).to_string(),
            1 => format!("%{b:02x}"),
            2 => format!("\\u{b:04X}"),
            3 => format!("&#{b};"),
            _ => char::from(b).to_ascii_uppercase().to_string(),
        })
        .collect();
    let standard = base64::engine::general_purpose::STANDARD;
    vec![
        every_byte.clone(),
        every_byte.to_ascii_lowercase(),
        every_byte.replace('%', "%25"),
        mixed,
        every_byte
            .chars()
            .map(|c| format!("\\u{:04x}", u32::from(c)))
            .collect(),
        standard.encode(format!("user:{secret}")),
        base64::engine::general_purpose::URL_SAFE.encode(format!("x{secret}tail")),
        standard
            .encode(secret)
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect(),
    ]
}

/// Every secret this mode echoed, for a test to look for.
#[derive(Default)]
pub(super) struct Echoed(Mutex<Vec<String>>);

impl Echoed {
    pub(super) fn all(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The response with `caller`'s token and every secret its document hands out (any string
/// under a `token` member) echoed in `encoded_forms`: in `meta.echo` written first in the
/// document (so that an excerpt of the body shows it), and the first form in a header.
pub(super) async fn echo(response: Response<Body>, caller: &str, log: &Echoed) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut secrets = vec![caller.to_string()];
    let doc = serde_json::from_slice::<Value>(&bytes).ok();
    if let Some(doc) = &doc {
        tokens(doc, &mut secrets);
    }
    secrets.retain(|s| !s.is_empty());
    log.0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(secrets.iter().cloned());
    let forms: Vec<String> = secrets.iter().flat_map(|s| encoded_forms(s)).collect();
    if let Some(v) = forms.first().and_then(|f| HeaderValue::from_str(f).ok()) {
        parts.headers.insert("x-echo-encoded", v);
    }
    let body = match doc {
        Some(Value::Object(mut map)) => {
            let mut meta = match map.remove("meta") {
                Some(Value::Object(meta)) => meta,
                _ => serde_json::Map::new(),
            };
            meta.insert("echo".into(), Value::from(forms));
            let rest = Value::Object(map).to_string();
            let rest = rest.strip_prefix('{').unwrap_or("}");
            let sep = if rest == "}" { "" } else { "," };
            format!("{{\"meta\":{}{sep}{rest}", Value::Object(meta)).into_bytes()
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

fn tokens(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("token", Value::String(s)) => out.push(s.clone()),
                    _ => tokens(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| tokens(v, out)),
        _ => {}
    }
}

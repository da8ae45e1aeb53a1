//! A hostile mode (`Modes::big_bodies`): every JSON document answered carries, in its `meta`,
//! a value of one shape that fills the answer to just under a client's 4 MiB cap. The document
//! stays what it was (the data intact, so that a client can still list and clean up), and is
//! still valid JSON; what differs is what its parsed form costs: an array of a million
//! numbers, nesting as deep as parsers allow, many small objects, or one long string.

use std::{fmt, str::FromStr, sync::OnceLock};

use axum::body::Body;
use http::{Response, header};
use serde_json::Value;

/// The shapes of `big_bodies`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `[1,2,3,...]`: two to eight bytes a value.
    Numbers,
    /// `[[[[...0...]]]]` 120 deep, again and again (parsers stop at 128 levels).
    Nested,
    /// `[{"a":1},{"a":1},...]`.
    Objects,
    /// One string of four mebibytes.
    String,
}

impl Shape {
    pub const ALL: [Shape; 4] = [Shape::Numbers, Shape::Nested, Shape::Objects, Shape::String];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Numbers => "numbers",
            Shape::Nested => "nested",
            Shape::Objects => "objects",
            Shape::String => "string",
        }
    }

    /// The JSON text of the value, `len` bytes or a little less.
    fn text(self, len: usize) -> String {
        let mut out = String::with_capacity(len + 16);
        match self {
            Shape::String => {
                out.push('"');
                while out.len() + 1 < len {
                    out.push('x');
                }
                out.push('"');
            }
            _ => {
                let item = match self {
                    Shape::Numbers => "7".to_string(),
                    Shape::Objects => r#"{"a":1}"#.to_string(),
                    _ => format!("{}0{}", "[".repeat(120), "]".repeat(120)),
                };
                out.push('[');
                while out.len() + item.len() + 2 < len {
                    if out.len() > 1 {
                        out.push(',');
                    }
                    out.push_str(&item);
                }
                out.push(']');
            }
        }
        out
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Shape {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Shape::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Shape::ALL.iter().map(|g| g.name()).collect();
                format!("unknown shape {s:?}; known: {}", names.join(", "))
            })
    }
}

/// How big an answer gets: just under 4 MiB, as `near_cap_bodies`.
const NEAR_CAP: usize = 4 * 1024 * 1024 - 64 * 1024;

/// The response, if its body is a JSON object, with `meta.pad` of `shape` filling it to
/// `NEAR_CAP`.
pub(super) async fn fill(response: Response<Body>, shape: Shape) -> Response<Body> {
    static TEXTS: [OnceLock<String>; 4] = [const { OnceLock::new() }; 4];
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) => {
            let mut meta = match map.remove("meta") {
                Some(Value::Object(meta)) => meta,
                _ => serde_json::Map::new(),
            };
            const MARK: &str = "@@pad@@";
            meta.insert("pad".into(), Value::String(MARK.into()));
            map.insert("meta".into(), Value::Object(meta));
            let doc = Value::Object(map).to_string();
            let slot = &TEXTS[Shape::ALL.iter().position(|s| *s == shape).unwrap_or(0)];
            // Documents differ by a few kilobytes; one pad of the room a large one leaves.
            let pad = slot.get_or_init(|| shape.text(NEAR_CAP - 32 * 1024));
            doc.replacen(&format!("\"{MARK}\""), pad, 1).into_bytes()
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

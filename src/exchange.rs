//! The record of one HTTP request and what came back: the unit every check judges, every
//! snapshot stores and every report shows. Values are kept raw in memory; anything rendered
//! from an exchange goes through `redact`.

use std::{fmt, time::Duration};

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::Value;

pub use bounded_json::{KEEP_STRING, KEEP_VALUES, parse_bounded};

use crate::redact;

/// The JSON:API media type, sent on every request and expected on every response with a body.
pub const JSON_API: &str = "application/vnd.api+json";

/// One request and its outcome.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Position in the trial, from 1.
    pub seq: usize,
    /// Unique in the process (from 1; 0 until recorded): how a finding, a report's link and
    /// a reproduction name this exchange wherever it is kept.
    pub id: u64,
    /// What the trial was doing, in its own words ("second create").
    pub step: String,
    /// The spec's operationId.
    pub operation: &'static str,
    /// The spec's path template (`/organizations/{organization_name}/authentication-token`).
    pub template: &'static str,
    pub request: Request,
    pub outcome: Result<Response, TransportError>,
    /// When the request left (or was to leave).
    pub started: std::time::Instant,
    pub elapsed: Duration,
    /// How often the request was retried after a 429.
    pub retries: u32,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    /// Path and query after the host (`/api/v2/...`).
    pub path: String,
    /// Shared: exchanges are cloned into several records, headers never change.
    pub headers: std::sync::Arc<HeaderMap>,
    pub body: Option<Bytes>,
}

#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: std::sync::Arc<HeaderMap>,
    pub body: Bytes,
    /// The body parsed as JSON, on first use, shared by every clone: many checks read it.
    parsed: std::sync::Arc<std::sync::OnceLock<Option<Value>>>,
    /// When only the first part of the body was kept for the reports: how long it was.
    pub full_len: Option<usize>,
}

/// The request got no complete HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
    /// The status, when the head of a response came but not its whole body.
    pub status: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    Connect,
    Timeout,
    /// The connection broke or the body could not be read whole.
    Body,
    /// The body was larger than the harness accepts.
    TooLarge,
    /// The harness would not send it (`guard`): it would have gone where it must not.
    Refused,
    /// The server kept answering 429 until the run's deadline cut the request short.
    RateLimited,
    Other,
}

impl Response {
    pub fn new(status: u16, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers: std::sync::Arc::new(headers),
            body,
            parsed: Default::default(),
            full_len: None,
        }
    }

    /// The media type without parameters, lower-cased (`application/vnd.api+json`).
    pub fn media_type(&self) -> Option<String> {
        self.essence().map(str::to_ascii_lowercase)
    }

    /// Whether the media type (parameters aside, any case) is `expected`; `None` without a
    /// readable Content-Type.
    pub fn media_type_is(&self, expected: &str) -> Option<bool> {
        self.essence().map(|e| e.eq_ignore_ascii_case(expected))
    }

    /// The Content-Type without its parameters, as sent.
    fn essence(&self) -> Option<&str> {
        let raw = self
            .headers
            .get(http::header::CONTENT_TYPE)?
            .to_str()
            .ok()?;
        Some(raw.split(';').next().unwrap_or_default().trim())
    }

    /// The body as JSON, if it parses, kept within `KEEP_VALUES` (see `parse_bounded`).
    pub fn json(&self) -> Option<&Value> {
        self.parsed
            .get_or_init(|| parse_bounded(&self.body).map(|(value, _)| value))
            .as_ref()
    }
}

/// How much of a response body an exchange keeps once recorded. Checks read the body as JSON,
/// parsed once from the whole of it before it is cut; the bytes kept are for excerpts and
/// reports. A server answering near the size cap every time must not make the run hold every
/// body it was sent (it once drove a run past 2.5 GB).
pub const KEEP_FOR_REPORTS: usize = 64 * 1024;

impl Response {
    /// A response whose body was too large to keep whole: `excerpt` is its beginning,
    /// `full_len` its length, `parsed` what it was as JSON (read from the whole of it, bounded
    /// by `parse_bounded`).
    pub fn excerpted(
        status: u16,
        headers: HeaderMap,
        excerpt: Bytes,
        full_len: usize,
        parsed: Option<Value>,
    ) -> Self {
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(parsed);
        Self {
            status,
            headers: std::sync::Arc::new(headers),
            body: excerpt,
            parsed: std::sync::Arc::new(cell),
            full_len: Some(full_len),
        }
    }

    /// The same response holding only the first `keep` bytes of its body (copied, so that the
    /// whole is freed) and sharing its JSON, parsed from the whole body first.
    pub fn compacted(&self, keep: usize) -> Response {
        if self.body.len() <= keep {
            return self.clone();
        }
        let _ = self.json();
        Response {
            status: self.status,
            headers: self.headers.clone(),
            body: Bytes::copy_from_slice(&self.body[..keep]),
            parsed: self.parsed.clone(),
            full_len: Some(self.body.len()),
        }
    }
}

/// A new exchange id, unique in the process.
pub fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Exchange {
    /// The exchange as a trial's record keeps it once the trial's checks and the whole-run
    /// rules are done with it: without its parsed document, which a later reader parses again
    /// from the bytes kept. A parsed document costs up to sixteen times its text and a run
    /// records every exchange, so a server answering every request with a large document
    /// would otherwise have the records hold one for each (a gigabyte against
    /// `serve --big-bodies objects`); this way at most the trials running, and those waiting
    /// for the judge, hold theirs.
    pub fn for_the_record(&self) -> Exchange {
        let mut kept = self.clone();
        if let Ok(response) = &mut kept.outcome {
            response.parsed = Default::default();
        }
        kept
    }

    /// Bytes of response body held.
    pub fn body_bytes(&self) -> usize {
        self.response().map_or(0, |r| r.body.len())
    }

    pub fn response(&self) -> Option<&Response> {
        self.outcome.as_ref().ok()
    }

    pub fn status(&self) -> Option<u16> {
        self.response().map(|r| r.status)
    }

    /// The response body as JSON, if there is a response and it parses.
    pub fn json(&self) -> Option<&Value> {
        self.response().and_then(Response::json)
    }

    /// The request body as JSON, if there is one and it parses.
    pub fn request_json(&self) -> Option<Value> {
        serde_json::from_slice(self.request.body.as_deref()?).ok()
    }

    /// A one-line, redacted name for messages:
    /// `#2 "second create" POST /api/v2/organizations/acme/authentication-token -> 401`.
    pub fn label(&self) -> String {
        let outcome = match &self.outcome {
            Ok(r) => r.status.to_string(),
            Err(e) => match e.status {
                Some(status) => format!("{status}, body incomplete ({})", e.message),
                None => format!("no response ({})", e.message),
            },
        };
        redact::text(&format!(
            "#{} \"{}\" {} {} -> {}",
            self.seq, self.step, self.request.method, self.request.path, outcome
        ))
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl TransportError {
    pub fn from_reqwest(e: &reqwest::Error) -> Self {
        let kind = if e.is_timeout() {
            TransportErrorKind::Timeout
        } else if e.is_connect() {
            TransportErrorKind::Connect
        } else if e.is_body() || e.is_decode() || e.is_request() {
            TransportErrorKind::Body
        } else {
            TransportErrorKind::Other
        };
        let mut message = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Self {
            kind,
            message: redact::text(&message),
            status: None,
        }
    }
}

#[cfg(test)]
impl Exchange {
    /// A recorded exchange made up for a unit test of a check: `GET path` answered with
    /// `status` and `body` (JSON:API media type when there is a body).
    pub(crate) fn canned(operation: &'static str, path: &str, status: u16, body: &str) -> Self {
        let mut headers = HeaderMap::new();
        if !body.is_empty() {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/vnd.api+json"),
            );
        }
        Exchange {
            seq: 1,
            id: next_id(),
            step: "canned".into(),
            operation,
            template: "",
            request: Request {
                method: Method::GET,
                path: path.into(),
                headers: Default::default(),
                body: None,
            },
            outcome: Ok(Response::new(
                status,
                headers,
                Bytes::from(body.to_string()),
            )),
            started: std::time::Instant::now(),
            elapsed: Duration::ZERO,
            retries: 0,
        }
    }

    /// Like `canned`, but nothing came back.
    pub(crate) fn unanswered(operation: &'static str, path: &str) -> Self {
        let mut ex = Exchange::canned(operation, path, 0, "");
        ex.outcome = Err(TransportError {
            kind: TransportErrorKind::Timeout,
            message: "timed out".into(),
            status: None,
        });
        ex
    }
}

//! The HAR report (`--report-har`): every exchange of the run as an HTTP Archive 1.2, the
//! format browser developer tools and HTTP debuggers open. Each trial is a page, and each
//! entry names its page and, in the custom fields HAR allows (a leading `_`), its trial and
//! step; the tour's and the housekeeping's exchanges are pages of their own. Everything is
//! redacted as in every other report. The `har` crate's types have no room for custom fields,
//! so the few structs the format needs are written here.

use std::{
    fs,
    path::Path,
    time::{Duration, Instant, SystemTime},
};

use serde::Serialize;

use super::json;
use crate::{exchange::Exchange, record::RunReport, redact};

#[derive(Serialize)]
struct Har {
    log: Log,
}

#[derive(Serialize)]
struct Log {
    version: &'static str,
    creator: Creator,
    pages: Vec<Page>,
    entries: Vec<Entry>,
    comment: String,
}

#[derive(Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    started_date_time: String,
    id: String,
    title: String,
    page_timings: PageTimings,
}

/// HAR requires the object; the run has no page loads to time (-1: not applicable).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageTimings {
    on_content_load: i64,
    on_load: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    pageref: String,
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    cache: Cache,
    timings: Timings,
    /// The trial (or `tour`, `housekeeping`) the exchange belongs to.
    #[serde(rename = "_trial")]
    trial: String,
    /// What the trial was doing, in its own words.
    #[serde(rename = "_step")]
    step: String,
    /// The spec's operationId.
    #[serde(rename = "_operation")]
    operation: &'static str,
    /// Why no answer came, when none did.
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: &'static str,
    cookies: Vec<NameValue>,
    headers: Vec<NameValue>,
    query_string: Vec<NameValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    status_text: String,
    http_version: &'static str,
    cookies: Vec<NameValue>,
    headers: Vec<NameValue>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: i64,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

/// Nothing is cached: HAR requires the object, empty.
#[derive(Serialize)]
struct Cache {}

/// What the harness measures is the whole exchange: it is `wait`; the phases it does not
/// see are -1, as HAR says.
#[derive(Serialize)]
struct Timings {
    blocked: f64,
    dns: f64,
    connect: f64,
    send: f64,
    wait: f64,
    receive: f64,
    ssl: f64,
}

/// The run as HAR, redacted.
pub fn render(report: &RunReport) -> String {
    let clock = Clock::now();
    let origin = origin(&report.target);
    let mut pages = Vec::new();
    let mut entries = Vec::new();
    let trials = report.trials.iter().map(|t| {
        (
            t.name.as_str(),
            t.exchanges.iter().chain(&t.released).collect::<Vec<_>>(),
        )
    });
    let rest = [
        ("tour", report.tour.iter().collect::<Vec<_>>()),
        ("housekeeping", report.housekeeping.iter().collect()),
    ];
    for (name, exchanges) in trials.chain(rest) {
        let Some(first) = exchanges.iter().map(|ex| ex.started).min() else {
            continue;
        };
        pages.push(Page {
            started_date_time: clock.at(first),
            id: name.to_string(),
            title: name.to_string(),
            page_timings: PageTimings {
                on_content_load: -1,
                on_load: -1,
            },
        });
        entries.extend(exchanges.iter().map(|ex| entry(ex, name, &origin, &clock)));
    }
    entries.sort_by(|a, b| a.started_date_time.cmp(&b.started_date_time));
    let har = Har {
        log: Log {
            version: "1.2",
            creator: Creator {
                name: "tfe-contract",
                version: env!("CARGO_PKG_VERSION"),
            },
            pages,
            entries,
            comment: redact::text(&format!("tfe-contract run against {}", report.target)),
        },
    };
    let text = serde_json::to_string_pretty(&har).unwrap_or_else(|_| "{}".to_string());
    redact::text(&text)
}

pub fn write(path: &Path, report: &RunReport) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    fs::write(path, render(report)).map_err(|e| e.to_string())
}

fn entry(ex: &Exchange, trial: &str, origin: &str, clock: &Clock) -> Entry {
    let url = format!("{origin}{}", redact::text(&ex.request.path));
    let query_string = ex
        .request
        .path
        .split_once('?')
        .map(|(_, q)| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(name, value)| NameValue {
                    name: redact::text(&name),
                    value: redact::text(&value),
                })
                .collect()
        })
        .unwrap_or_default();
    let post_data = ex
        .request
        .body
        .as_ref()
        .filter(|b| !b.is_empty())
        .map(|b| PostData {
            mime_type: header(&ex.request.headers, http::header::CONTENT_TYPE),
            text: body_text(b),
        });
    let request = Request {
        method: ex.request.method.to_string(),
        url,
        http_version: "HTTP/1.1",
        cookies: Vec::new(),
        headers: headers(&ex.request.headers),
        query_string,
        body_size: ex.request.body.as_ref().map_or(0, |b| b.len() as i64),
        post_data,
        headers_size: -1,
    };
    let (response, error) = match &ex.outcome {
        Ok(r) => {
            let size = r.full_len.unwrap_or(r.body.len()) as i64;
            (
                Response {
                    status: r.status,
                    status_text: http::StatusCode::from_u16(r.status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or_default()
                        .to_string(),
                    http_version: "HTTP/1.1",
                    cookies: Vec::new(),
                    headers: headers(&r.headers),
                    content: Content {
                        size,
                        mime_type: header(&r.headers, http::header::CONTENT_TYPE),
                        text: (!r.body.is_empty()).then(|| body_text(&r.body)),
                    },
                    redirect_url: String::new(),
                    headers_size: -1,
                    body_size: size,
                },
                None,
            )
        }
        // No answer: status 0, as browsers record a request that got none.
        Err(e) => (
            Response {
                status: 0,
                status_text: String::new(),
                http_version: "HTTP/1.1",
                cookies: Vec::new(),
                headers: Vec::new(),
                content: Content {
                    size: 0,
                    mime_type: String::new(),
                    text: None,
                },
                redirect_url: String::new(),
                headers_size: -1,
                body_size: -1,
            },
            Some(redact::text(&e.message)),
        ),
    };
    let millis = ex.elapsed.as_secs_f64() * 1000.0;
    Entry {
        pageref: trial.to_string(),
        started_date_time: clock.at(ex.started),
        time: millis,
        request,
        response,
        cache: Cache {},
        timings: Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: millis,
            receive: 0.0,
            ssl: -1.0,
        },
        trial: trial.to_string(),
        step: redact::text(&ex.step),
        operation: ex.operation,
        error,
    }
}

/// Headers as every report shows them (credentials never, the rest redacted), one a pair.
fn headers(map: &http::HeaderMap) -> Vec<NameValue> {
    map.iter()
        .map(|(name, value)| NameValue {
            name: name.as_str().to_string(),
            value: redact::header(name.as_str(), value.as_bytes()),
        })
        .collect()
}

fn header(map: &http::HeaderMap, name: http::header::HeaderName) -> String {
    map.get(name)
        .map(|v| redact::text(&String::from_utf8_lossy(v.as_bytes())))
        .unwrap_or_default()
}

/// A body as the JSON report shows it (JSON redacted value by value, else redacted text), as
/// text.
fn body_text(bytes: &[u8]) -> String {
    match json::body(bytes) {
        serde_json::Value::String(text) => text,
        serde_json::Value::Null => String::new(),
        doc => doc.to_string(),
    }
}

/// The scheme, host and port of the target, from its description (which holds its URL).
fn origin(target: &str) -> String {
    target
        .split_whitespace()
        .find_map(|word| url::Url::parse(word).ok())
        .map(|url| url.origin().ascii_serialization())
        .filter(|o| o != "null")
        .unwrap_or_else(|| "http://target".to_string())
}

/// Wall-clock times for the monotonic instants exchanges record.
struct Clock {
    now: Instant,
    wall: SystemTime,
}

impl Clock {
    fn now() -> Self {
        Self {
            now: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// `at` as an ISO 8601 date and time, to the millisecond, in UTC.
    fn at(&self, at: Instant) -> String {
        let ago = self
            .now
            .checked_duration_since(at)
            .unwrap_or(Duration::ZERO);
        let wall = self.wall.checked_sub(ago).unwrap_or(self.wall);
        chrono::DateTime::<chrono::Utc>::from(wall)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    }
}

//! How the reference server misbehaves on the wire, beside the contract: slow, rate-limited,
//! stalled, resetting connections, sending garbage, redirecting elsewhere, speaking TLS. The
//! server owns its accept loop so that it can do all of this; `/api/v2/ping` is always answered
//! normally, so that a harness can start against it.

use std::{
    collections::HashMap,
    convert::Infallible,
    fmt,
    str::FromStr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Router, body::Body};
use http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use tower::ServiceExt;

/// A way to send something that is not a proper response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Garbage {
    /// A body that is not JSON, still labelled JSON:API.
    NotJson,
    /// The first half of the real body.
    Truncated,
    /// The real body, labelled text/html.
    WrongMediaType,
    /// The real body followed by 5 MiB of whitespace.
    Oversized,
    /// A proxy's HTML error page with status 502.
    HtmlProxyPage,
}

impl Garbage {
    pub const ALL: [Garbage; 5] = [
        Garbage::NotJson,
        Garbage::Truncated,
        Garbage::WrongMediaType,
        Garbage::Oversized,
        Garbage::HtmlProxyPage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Garbage::NotJson => "not-json",
            Garbage::Truncated => "truncated",
            Garbage::WrongMediaType => "wrong-media-type",
            Garbage::Oversized => "oversized",
            Garbage::HtmlProxyPage => "html-proxy-page",
        }
    }
}

impl fmt::Display for Garbage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Garbage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Garbage::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Garbage::ALL.iter().map(|g| g.name()).collect();
                format!("unknown garbage {s:?}; known: {}", names.join(", "))
            })
    }
}

/// A certificate and its key, PEM.
#[derive(Clone)]
pub struct Tls {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls { .. }")
    }
}

/// The wire-level behaviour; the default is a well-behaved server.
#[derive(Clone, Debug, Default)]
pub struct Modes {
    /// Wait this long before answering each request.
    pub delay: Duration,
    /// Answer every Nth request with 429 (`X-RateLimit-Reset` a twentieth of a second),
    /// whatever the pace.
    pub rate_limit_every: Option<u64>,
    /// Hand out ids that would climb out of their path segment
    /// (`team-X\..\..\..\organizations\ORG\authentication-token`), as a hostile server might.
    pub climbing_ids: bool,
    /// Give every new team the id `..`, which no client can send as one path segment.
    pub dot_ids: bool,
    /// Answer a route the server does not have with a plain-text 404, as a router without it
    /// does (Go's, which OTF uses), rather than with a JSON:API error document. With the
    /// `legacy` profile: a server that lacks the later token routes altogether.
    pub plain_unknown_routes: bool,
    /// Tell the secret the next create will hand out before handing it out: base64-encoded in
    /// the body of every plain-text 401 (with the `unauthorized-plain-text` fault), as a
    /// careless server might. Output written before the secret is known to be one must still
    /// not show it.
    pub foretell_secrets: bool,
    /// The organization has no agents entitlement: creating (or listing) agent pools answers
    /// 404, as HCP Terraform and TFE do for an organization without agents (ref §1 #14).
    pub no_agents: bool,
    /// Teams and agent pools are made and deleted by users only: a team's token (the owners
    /// team's among them) is refused (404) when it creates or deletes one. Nothing documents
    /// that an owners-team token may (ref §5 names who manages organization and team tokens,
    /// not teams or pools), so a server may refuse it; the harness's set-up token is such a
    /// token, and the run must then do that work with the user's token.
    pub fixtures_by_users_only: bool,
    /// Teams get no organization-level permissions: `organization-access` in a team's create
    /// is taken and ignored, so a team with "manage teams" manages no team tokens (as on an
    /// organization whose plan has no team permissions). The run's team manager is then
    /// refused, and the user's token explores team tokens.
    pub no_organization_access: bool,
    /// The organization has no audit-trails entitlement (HCP Terraform's paid plans): the
    /// audit-trails token answers 404 to everyone (ref §5).
    pub no_audit_trails: bool,
    /// Cut every answer to a POST in half: what was created, the client never learns of.
    pub garble_creates: bool,
    /// Pad every JSON answer with spaces to just under 4 MiB (a client's usual cap): a client
    /// that keeps every body it is sent runs out of memory.
    pub near_cap_bodies: bool,
    /// Fill every JSON answer to just under 4 MiB with a value of this shape in its `meta`
    /// (`shapes`): whatever a client keeps of what it parses, it must keep bounded.
    pub big_bodies: Option<super::shapes::Shape>,
    /// Echo the caller's token back in the forms a careless server might (upper case, base64,
    /// `\u`-escaped, percent-encoded), in a header and in every JSON document's `meta`.
    pub echo_secrets: bool,
    /// Echo the caller's token and every secret a document hands out in encodings no list of
    /// forms would hold (every byte percent-encoded, each byte encoded another way, base64
    /// behind a prefix; `encoded::encoded_forms`), first in the document and in a header.
    pub echo_encoded: bool,
    /// Limit each user to this many requests per second, as TFE does (ref §6: "30 requests
    /// per second per user", 429 past it): a bucket of this many, refilled at this rate. A
    /// user's tokens share the user's bucket; every other credential (a team's, the
    /// organization's, none) has its own.
    pub rate_limit: Option<f64>,
    /// From the (N+1)th request on, never answer.
    pub stall_after: Option<u64>,
    /// From the (N+1)th request on, drop the connection without an answer.
    pub reset_after: Option<u64>,
    /// From the (N+1)th request on, refuse: 403 with a JSON:API error, as a server that
    /// revoked the caller's access mid-run would (a hostile mode; nothing can be listed).
    pub refuse_after: Option<u64>,
    /// Answer with garbage of this kind.
    pub garbage: Option<Garbage>,
    /// Redirect every request (307) to the same path on this origin.
    pub redirect_to: Option<String>,
    pub tls: Option<Tls>,
}

pub(super) struct Wire {
    pub modes: Modes,
    pub router: Router,
    requests: AtomicU64,
    limiter: Option<Limiter>,
    /// What `echo_encoded` echoed.
    pub echoed: super::encoded::Echoed,
}

/// TFE's rate limit as its docs describe it (ref §6): per user, a second's worth of requests
/// at once, refilled steadily; past it 429 with `X-RateLimit-Limit` and `X-RateLimit-Reset`
/// (seconds until the next request would be let through, fractional).
struct Limiter {
    rate: f64,
    /// By whose bucket a request's `Authorization` header takes from (`RateKey`).
    buckets: Mutex<HashMap<Vec<u8>, Bucket>>,
    key: RateKey,
}

/// Whose bucket a request with this `Authorization` header (empty: none) takes from.
pub(super) type RateKey = Box<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    /// How many buckets may pile up before full ones (idle a second or more) are dropped:
    /// a long session mints tokens without end, and a full bucket is as good as none.
    const PRUNE_ABOVE: usize = 1024;

    fn capacity(&self) -> f64 {
        self.rate.max(1.0)
    }

    /// Takes one request from `key`'s bucket, or says how long until one is there.
    fn take(&self, key: &[u8]) -> Result<(), Duration> {
        let now = Instant::now();
        let capacity = self.capacity();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > Self::PRUNE_ABOVE {
            let refill = Duration::from_secs_f64(capacity / self.rate);
            buckets.retain(|_, b| now.duration_since(b.at) < refill);
        }
        let bucket = buckets.entry(key.to_vec()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refilled = bucket.tokens + self.rate * now.duration_since(bucket.at).as_secs_f64();
        bucket.tokens = refilled.min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }

    /// The limit as `X-RateLimit-Limit` says it.
    fn header(&self) -> HeaderValue {
        let text = if self.rate.fract() == 0.0 {
            format!("{}", self.rate as u64)
        } else {
            format!("{:.3}", self.rate)
        };
        HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("30"))
    }
}

impl Wire {
    pub fn new(modes: Modes, router: Router, key: RateKey) -> Arc<Self> {
        let limiter = modes
            .rate_limit
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|rate| Limiter {
                rate,
                buckets: Mutex::new(HashMap::new()),
                key,
            });
        Arc::new(Self {
            modes,
            router,
            requests: AtomicU64::new(0),
            limiter,
            echoed: Default::default(),
        })
    }

    /// One request, through the modes to the API.
    pub async fn serve(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<Body>, std::io::Error> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let modes = &self.modes;
        let ping = request.uri().path() == "/api/v2/ping";
        if !modes.delay.is_zero() {
            tokio::time::sleep(modes.delay).await;
        }
        if let Some(limiter) = &self.limiter {
            let key = request
                .headers()
                .get(header::AUTHORIZATION)
                .map_or(&b""[..], HeaderValue::as_bytes);
            if let Err(reset) = limiter.take(&(limiter.key)(key)) {
                return Ok(over_the_limit(limiter.header(), reset));
            }
            let mut response = self.answer(request, ping, n).await?;
            response
                .headers_mut()
                .insert("x-ratelimit-limit", limiter.header());
            return Ok(response);
        }
        self.answer(request, ping, n).await
    }

    async fn answer(
        &self,
        request: Request<Incoming>,
        ping: bool,
        n: u64,
    ) -> Result<Response<Body>, std::io::Error> {
        let modes = &self.modes;
        if !ping {
            if modes.reset_after.is_some_and(|k| n > k) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "reset",
                ));
            }
            if modes.refuse_after.is_some_and(|k| n > k) {
                return Ok(refused());
            }
            if modes.stall_after.is_some_and(|k| n > k) {
                std::future::pending::<()>().await;
            }
            if modes
                .rate_limit_every
                .is_some_and(|every| every > 0 && n.is_multiple_of(every))
            {
                return Ok(rate_limited());
            }
            if let Some(origin) = &modes.redirect_to {
                let target = format!(
                    "{}{}",
                    origin.trim_end_matches('/'),
                    request.uri().path_and_query().map_or("/", |p| p.as_str())
                );
                return Ok(redirect(&target));
            }
        }
        let post = request.method() == http::Method::POST;
        let bearer = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let response = self
            .router
            .clone()
            .oneshot(request.map(Body::new))
            .await
            .unwrap_or_else(|e: Infallible| match e {});
        let response = match bearer.as_ref().filter(|_| modes.echo_secrets) {
            Some(token) => echo(response, token).await,
            None => response,
        };
        let response = match bearer.filter(|_| modes.echo_encoded) {
            Some(token) => super::encoded::echo(response, &token, &self.echoed).await,
            None => response,
        };
        let response = match modes.big_bodies.filter(|_| !ping) {
            Some(shape) => super::shapes::fill(response, shape).await,
            None => response,
        };
        let response = if modes.near_cap_bodies && !ping {
            pad(response).await
        } else {
            response
        };
        let garbage = modes
            .garbage
            .or((modes.garble_creates && post).then_some(Garbage::Truncated));
        match garbage.filter(|_| !ping) {
            Some(kind) => Ok(spoil(response, kind).await),
            None => Ok(response),
        }
    }
}

/// A 429 of `--rate-limit-every`: it comes whatever the pace, so it announces no limit the
/// client could keep to, only when to come back.
fn rate_limited() -> Response<Body> {
    too_many_requests(None, Duration::from_millis(50))
}

fn over_the_limit(limit: HeaderValue, reset: Duration) -> Response<Body> {
    too_many_requests(Some(limit), reset)
}

/// The API overview's 429: a JSON:API error whose `status` is a number (ref §6).
fn too_many_requests(limit: Option<HeaderValue>, reset: Duration) -> Response<Body> {
    let mut r = Response::new(Body::from(
        r#"{"errors":[{"status":429,"title":"Too many requests"}]}"#,
    ));
    *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.api+json"),
    );
    if let Some(limit) = limit {
        h.insert("x-ratelimit-limit", limit);
    }
    let seconds = format!("{:.3}", reset.as_secs_f64().max(0.001));
    if let Ok(v) = HeaderValue::from_str(&seconds) {
        h.insert("x-ratelimit-reset", v);
    }
    r
}

/// `refuse_after`'s answer: a JSON:API error document, as the API overview shows them.
fn refused() -> Response<Body> {
    let mut r = Response::new(Body::from(
        r#"{"errors":[{"status":"403","title":"forbidden"}]}"#,
    ));
    *r.status_mut() = StatusCode::FORBIDDEN;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.api+json"),
    );
    r
}

fn redirect(target: &str) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    if let Ok(v) = HeaderValue::from_str(target) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// How big `near_cap_bodies` makes a JSON answer: just under 4 MiB.
const NEAR_CAP: usize = 4 * 1024 * 1024 - 64 * 1024;

/// The response, if it has a body, padded with spaces (still the same JSON) to `NEAR_CAP`.
async fn pad(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let mut bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    if !bytes.is_empty() && bytes.len() < NEAR_CAP {
        bytes.resize(NEAR_CAP, b' ');
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// The response with the caller's `token` echoed in several encodings.
async fn echo(response: Response<Body>, token: &str) -> Response<Body> {
    use base64::Engine;
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let b64 = base64::engine::general_purpose::STANDARD.encode(token);
    let escaped: String = token
        .encode_utf16()
        .map(|u| format!("\\u{u:04x}"))
        .collect();
    let forms = [
        token.to_ascii_uppercase(),
        b64.clone(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token),
        token.replace('.', "%2E"),
    ];
    if let Ok(v) = HeaderValue::from_str(&b64) {
        parts.headers.insert("x-echo", v);
    }
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut doc) if doc.is_object() => {
            doc["meta"] = serde_json::json!({ "echo": forms });
            // A `\u`-escaped copy goes in as raw text, escapes and all.
            let text = doc.to_string();
            let raw = format!(r#","escaped":"{escaped}"}}"#);
            match text.strip_suffix('}') {
                Some(head) => format!("{head}{raw}").into_bytes(),
                None => text.into_bytes(),
            }
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

async fn spoil(response: Response<Body>, kind: Garbage) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let body = match kind {
        _ if bytes.is_empty() && kind != Garbage::HtmlProxyPage => bytes.to_vec(),
        Garbage::NotJson => b"this is not JSON at all".to_vec(),
        Garbage::Truncated => bytes[..bytes.len() / 2].to_vec(),
        Garbage::WrongMediaType => {
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            bytes.to_vec()
        }
        Garbage::Oversized => {
            let mut b = bytes.to_vec();
            b.resize(b.len() + 5 * 1024 * 1024, b' ');
            b
        }
        Garbage::HtmlProxyPage => {
            parts.status = StatusCode::BAD_GATEWAY;
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".to_vec()
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

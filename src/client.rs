//! The typed client progenitor generates from the spec, and the recorder behind it. Every
//! request, typed or hand-built, goes through `Recorder::exchange`: it puts the JSON:API headers
//! and the credential on the wire, retries on 429, reads the whole response (up to a cap) and
//! writes an `Exchange` to the trial's journal before handing the generated code an equivalent
//! response to decode.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::{
    exchange::{
        Exchange, JSON_API, KEEP_FOR_REPORTS, Request, Response, TransportError, TransportErrorKind,
    },
    guard::Guard,
    pacing::Pacer,
    redact::{self, Secret},
    spec::{Operation, Spec},
};

#[allow(clippy::all, unused, unreachable_pub, missing_docs, rustdoc::all)]
mod generated {
    // Every path parameter the generated code builds a URL with stays one segment.
    use crate::segment::encode_segment as encode_path;
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::{Client, types};

/// Bodies larger than this are not read further; the exchange fails instead.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The longest a 429 makes the harness wait before asking again.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);
/// The first wait after a 429 that says nothing of when to come back; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// The credential a request carries.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(Secret),
    /// A literal `Authorization` header value (malformed on purpose).
    Raw(&'static str),
}

/// How to reach the target.
#[derive(Clone, Debug, Default)]
pub struct TransportOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Extra trusted roots, PEM (a private CA).
    pub ca_certs: Option<Vec<u8>>,
    /// Skip certificate verification.
    pub insecure: bool,
    /// No request is answered after this moment.
    pub deadline: Option<Instant>,
    /// `--max-rate`: requests per second per credential, whatever the target announces.
    pub max_rate: Option<f64>,
}

/// Why requests stopped being sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    Interrupted,
    DeadlinePassed,
}

/// The shared HTTP side of a run: one connection pool for every trial.
#[derive(Debug)]
pub struct Transport {
    pub http: reqwest::Client,
    /// The API base, e.g. `http://127.0.0.1:4000/api/v2`.
    pub base: String,
    /// Every secret the target minted during the run, to retire from redaction at its end.
    pub minted: Mutex<Vec<String>>,
    /// Set on interrupt or when the deadline passes: no new request leaves.
    halted: Mutex<Option<Halt>>,
    /// Requests sent and not yet answered.
    in_flight: std::sync::atomic::AtomicUsize,
    /// Each credential's pace, and what the target's rate limit cost the run; shared with the
    /// cleanup's transport, which goes on at the pace learned.
    pub pacer: Arc<Pacer>,
    /// Where requests may go; shared with the cleanup's transport.
    pub guard: Arc<Guard>,
    /// The path of the API base (`/api/v2`).
    base_path: String,
    options: TransportOptions,
}

impl Transport {
    pub fn new(base: &str, options: TransportOptions) -> Result<Self, String> {
        let timeout = options.timeout;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let origin = reqwest::Url::parse(base).map_err(|e| e.to_string())?;
        let base_path = origin.path().trim_end_matches('/').to_string();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            // Follow a redirect only within the same origin: the Authorization header must never
            // travel to another host, and an API that redirects elsewhere has failed anyway.
            let same = attempt.url().origin() == origin.origin();
            if same && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .user_agent(concat!("tfe-contract/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(16);
        if base.starts_with("http://") {
            // No TLS will be spoken: skip loading the system's root certificates (milliseconds
            // at every start).
            let none = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
            builder = builder.tls_backend_preconfigured(none);
        } else if let Some(pem) = &options.ca_certs {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                format!("the CA certificate file holds no usable PEM certificate: {e}")
            })?;
            if certs.is_empty() {
                return Err("the CA certificate file holds no PEM certificate".into());
            }
            builder = builder.tls_certs_merge(certs);
        }
        if options.insecure && !base.starts_with("http://") {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            minted: Mutex::new(Vec::new()),
            halted: Mutex::new(None),
            in_flight: Default::default(),
            pacer: Arc::new(Pacer::new(options.max_rate)),
            guard: Arc::default(),
            base_path,
            options,
        })
    }

    /// A transport like this one (same target and TLS settings) for work that must go on
    /// after this one was halted, and must be done within `budget`.
    pub fn fresh_within(&self, budget: Duration) -> Result<Self, String> {
        let options = TransportOptions {
            deadline: Some(Instant::now() + budget),
            timeout: self.options.timeout.min(budget),
            ..self.options.clone()
        };
        let mut fresh = Self::new(&self.base, options)?;
        fresh.pacer = self.pacer.clone();
        fresh.guard = self.guard.clone();
        Ok(fresh)
    }

    /// Stops every new request; those under way finish.
    pub fn halt(&self, why: Halt) {
        let mut halted = self.halted.lock().unwrap_or_else(|e| e.into_inner());
        halted.get_or_insert(why);
    }

    /// Why requests stopped, if they did.
    pub fn halted(&self) -> Option<Halt> {
        *self.halted.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_halted(&self) -> bool {
        self.halted().is_some()
    }

    /// Waits (at most `limit`) until no request is under way.
    pub async fn settle(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Counts a request as under way while it lives.
struct InFlight<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> InFlight<'a> {
    fn new(counter: &'a std::sync::atomic::AtomicUsize) -> Self {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A trial's log of exchanges, and what it is doing right now.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    inner: Arc<Mutex<JournalInner>>,
}

#[derive(Debug, Default)]
struct JournalInner {
    step: String,
    exchanges: Vec<Exchange>,
}

impl Journal {
    pub fn set_step(&self, step: &str) {
        self.lock().step = step.to_string();
    }

    pub fn len(&self) -> usize {
        self.lock().exchanges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().exchanges.clone()
    }

    pub fn last(&self) -> Option<Exchange> {
        self.lock().exchanges.last().cloned()
    }

    /// Records a request the client could not even send.
    pub fn unsent(&self, reason: String) -> Exchange {
        self.push_and_get(Exchange {
            seq: 0,
            step: String::new(),
            operation: "unknown",
            template: "",
            request: Request {
                method: Method::GET,
                path: String::new(),
                headers: Arc::default(),
                body: None,
            },
            outcome: Err(TransportError {
                kind: TransportErrorKind::Other,
                message: reason,
                status: None,
            }),
            started: Instant::now(),
            elapsed: Duration::ZERO,
            retries: 0,
        })
    }

    fn push(&self, mut exchange: Exchange) {
        if let Ok(response) = &exchange.outcome
            && response.body.len() > KEEP_FOR_REPORTS
        {
            exchange.outcome = Ok(response.compacted(KEEP_FOR_REPORTS));
        }
        let mut inner = self.lock();
        exchange.seq = inner.exchanges.len() + 1;
        exchange.step = inner.step.clone();
        inner.exchanges.push(exchange);
    }

    fn push_and_get(&self, exchange: Exchange) -> Exchange {
        self.push(exchange);
        self.last().expect("just recorded")
    }

    /// The latest exchange whose answer holds `value` as a JSON string (an id it handed out).
    pub fn handed_out(&self, value: &str) -> Option<String> {
        fn holds(doc: &serde_json::Value, value: &str) -> bool {
            match doc {
                serde_json::Value::String(s) => s == value,
                serde_json::Value::Array(items) => items.iter().any(|v| holds(v, value)),
                serde_json::Value::Object(map) => map.values().any(|v| holds(v, value)),
                _ => false,
            }
        }
        self.lock()
            .exchanges
            .iter()
            .rev()
            .find(|ex| ex.json().is_some_and(|doc| holds(doc, value)))
            .map(Exchange::label)
    }

    /// Every exchange, taken out of the journal (which is left empty).
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut self.lock().exchanges)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JournalInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The generated client's inner value: which credential to send and where to record.
#[derive(Clone, Debug)]
pub struct Recorder {
    pub transport: Arc<Transport>,
    pub auth: Auth,
    pub journal: Journal,
    /// Whether a 429 is waited out and asked again (everything but the probe, for which any
    /// answer will do).
    pub patient: bool,
}

impl Recorder {
    /// A typed client that sends `auth` and records into `journal`.
    pub fn client(transport: &Arc<Transport>, auth: Auth, journal: &Journal) -> Client {
        let recorder = Recorder {
            transport: transport.clone(),
            auth,
            journal: journal.clone(),
            patient: true,
        };
        Client::new_with_client(&transport.base, transport.http.clone(), recorder)
    }

    /// Like `client`, but a 429 is taken as the answer (it shows the target is there).
    pub fn impatient_client(transport: &Arc<Transport>, auth: Auth, journal: &Journal) -> Client {
        let recorder = Recorder {
            transport: transport.clone(),
            auth,
            journal: journal.clone(),
            patient: false,
        };
        Client::new_with_client(&transport.base, transport.http.clone(), recorder)
    }

    /// Headers as real clients send them (reference §3), replacing what the generator emits.
    fn prepare(&self, request: &mut reqwest::Request) {
        let method = request.method().clone();
        let headers = request.headers_mut();
        headers.remove("api-version");
        headers.insert(header::ACCEPT, HeaderValue::from_static(JSON_API));
        if matches!(method, Method::POST | Method::PATCH | Method::DELETE) {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API));
        } else {
            headers.remove(header::CONTENT_TYPE);
        }
        set_auth(headers, &self.auth);
    }

    /// Sends `request` for `operation`, records the exchange and returns a response the
    /// generated code can decode.
    pub async fn exchange(
        &self,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let recorded = Request {
            method: request.method().clone(),
            path: path_of(request.url()),
            headers: Arc::new(request.headers().clone()),
            body: request
                .body()
                .and_then(|b| b.as_bytes())
                .map(Bytes::copy_from_slice),
        };
        let started = Instant::now();
        if let Some((why, value)) =
            self.transport
                .guard
                .refusal(&self.transport.base_path, &recorded.path, operation)
        {
            // Name the exchange whose answer handed the id out, where the trial has one.
            let origin = value
                .filter(|v| !v.is_empty())
                .and_then(|v| self.journal.handed_out(&v));
            let why = match origin {
                Some(label) => format!("{why}; the server handed it out in {label}"),
                None => why,
            };
            return Ok(self.refused(recorded, operation, why));
        }
        if let Some(why) = self.transport.halted() {
            // Nothing new may reach the server. The journal records that it was not sent; the
            // generated code gets a placeholder it will not decode into anything.
            let message = match why {
                Halt::Interrupted => "not sent: the run was interrupted",
                Halt::DeadlinePassed => "not sent: the run's deadline had passed",
            };
            return Ok(self.not_answered(recorded, operation, Duration::ZERO, message));
        }
        let _in_flight = InFlight::new(&self.transport.in_flight);
        // How many 429s this request had been answered with, should the deadline cut it short.
        let waited_out = std::sync::atomic::AtomicU32::new(0);
        let attempt = async {
            let (result, retries) = self
                .send_with_retries(request, &recorded, &waited_out)
                .await;
            match result {
                Ok(response) => {
                    let status = response.status();
                    let headers = owned_headers(response.headers());
                    let (body, read_error) = read_capped(response).await;
                    (Ok((status, headers, body, read_error)), retries)
                }
                Err(e) => (Err(e), retries),
            }
        };
        let timed = match self.transport.options.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), attempt).await,
            None => Ok(attempt.await),
        };
        let Ok((result, retries)) = timed else {
            self.transport.halt(Halt::DeadlinePassed);
            let too_many = waited_out.load(std::sync::atomic::Ordering::Relaxed);
            if too_many > 0 {
                // The server never stopped saying "wait": that, not silence, is what to report.
                let message = format!(
                    "answered 429 Too Many Requests {too_many} time(s), still asking to wait \
                     when the run's deadline (--deadline) came"
                );
                let error = TransportError {
                    kind: TransportErrorKind::RateLimited,
                    message,
                    status: Some(429),
                };
                return Ok(self.unanswered(
                    recorded,
                    operation,
                    started.elapsed(),
                    error,
                    too_many,
                ));
            }
            let message = "no answer before the run's deadline (--deadline)";
            return Ok(self.not_answered(recorded, operation, started.elapsed(), message));
        };
        let (outcome, handback) = match result {
            Ok((status, headers, received, read_error)) => {
                let handback = handback(status);
                let (response, scanned) = received.into_response(status.as_u16(), headers);
                self.learn_pools(operation, &response);
                if operation.id == "listTeams" {
                    let owners = response.json().and_then(|doc| {
                        doc.get("data")?.as_array()?.iter().find_map(|team| {
                            (team.pointer("/attributes/name")?.as_str()? == "owners")
                                .then(|| team.get("id")?.as_str())?
                        })
                    });
                    if let Some(id) = owners {
                        self.transport.guard.protect_team(id);
                    }
                }
                // Secrets are registered before anything can render this body; the JSON
                // parsed for that is the one every check reads afterwards.
                let mut minted = redact::register_minted(&response.body, || response.json());
                minted.extend(scanned);
                if !minted.is_empty() {
                    self.transport
                        .minted
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend(minted);
                }
                let outcome = match read_error {
                    None => Ok(response),
                    Some(e) => Err(TransportError {
                        status: Some(response.status),
                        ..e
                    }),
                };
                (outcome, Ok(handback))
            }
            Err(e) => (Err(TransportError::from_reqwest(&e)), Err(e)),
        };
        self.journal.push(Exchange {
            seq: 0,
            step: String::new(),
            operation: &operation.id,
            template: &operation.path,
            request: recorded,
            outcome,
            started,
            elapsed: started.elapsed(),
            retries,
        });
        handback
    }

    /// Tells the guard of the agent pools the run made: those a create answered with, and
    /// those listed with the run's tag in their name.
    fn learn_pools(&self, operation: &Operation, response: &Response) {
        let guard = &self.transport.guard;
        match operation.id.as_str() {
            "createAgentPool" if (200..300).contains(&response.status) => {
                if let Some(id) = response
                    .json()
                    .and_then(|d| d.pointer("/data/id")?.as_str())
                {
                    guard.own_pool(id);
                }
            }
            "listAgentPools" => {
                let items = response
                    .json()
                    .and_then(|d| d.get("data")?.as_array())
                    .into_iter()
                    .flatten();
                for pool in items {
                    let id = pool.get("id").and_then(serde_json::Value::as_str);
                    let name = pool
                        .pointer("/attributes/name")
                        .and_then(serde_json::Value::as_str);
                    if let (Some(id), Some(name)) = (id, name) {
                        guard.own_pool_if_tagged(id, name);
                    }
                }
            }
            _ => {}
        }
    }

    /// Records a request the guard would not send, and hands the generated code a placeholder.
    fn refused(
        &self,
        recorded: Request,
        operation: &'static Operation,
        why: String,
    ) -> reqwest::Response {
        let error = TransportError {
            kind: TransportErrorKind::Refused,
            message: redact::text(&why),
            status: None,
        };
        self.unanswered(recorded, operation, Duration::ZERO, error, 0)
    }

    /// Records an exchange that got no answer, and hands the generated code a placeholder.
    fn not_answered(
        &self,
        recorded: Request,
        operation: &'static Operation,
        elapsed: Duration,
        message: &str,
    ) -> reqwest::Response {
        let error = TransportError {
            kind: TransportErrorKind::Timeout,
            message: message.into(),
            status: None,
        };
        self.unanswered(recorded, operation, elapsed, error, 0)
    }

    /// Records `error` as the outcome of a request that took `elapsed` (after `retries`
    /// 429s), and hands the generated code a placeholder it will not decode into anything.
    fn unanswered(
        &self,
        recorded: Request,
        operation: &'static Operation,
        elapsed: Duration,
        error: TransportError,
        retries: u32,
    ) -> reqwest::Response {
        self.journal.push(Exchange {
            seq: 0,
            step: String::new(),
            operation: &operation.id,
            template: &operation.path,
            request: recorded,
            outcome: Err(error),
            started: Instant::now() - elapsed,
            elapsed,
            retries,
        });
        let placeholder = http::StatusCode::from_u16(599).unwrap_or(http::StatusCode::BAD_GATEWAY);
        handback(placeholder)
    }

    /// Sends `request` when its credential's budget allows, and again after each 429 for as
    /// long as the run has time: a 429 only says "wait" (ref §6), so it is waited out
    /// (`X-RateLimit-Reset`, else `Retry-After`, else a doubling backoff), and only a server
    /// still answering 429 when the deadline comes is left with it. Requests are rebuilt from
    /// what was recorded: no copy is made unless a retry needs one.
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
        recorded: &Request,
        waited_out: &std::sync::atomic::AtomicU32,
    ) -> (reqwest::Result<reqwest::Response>, u32) {
        let pacer = &self.transport.pacer;
        let credential = recorded
            .headers
            .get(header::AUTHORIZATION)
            .map_or(&b""[..], HeaderValue::as_bytes);
        let mut retries = 0;
        let url = request.url().clone();
        let mut request = request;
        loop {
            pacer.ready(credential).await;
            let result = self.transport.http.execute(request).await;
            let Ok(response) = &result else {
                return (result, retries);
            };
            pacer.announce(
                response
                    .headers()
                    .get("x-ratelimit-limit")
                    .and_then(|v| v.to_str().ok()),
            );
            if response.status() != 429 {
                return (result, retries);
            }
            let wait = retry_after(response.headers(), retries);
            let out_of_time = self
                .transport
                .options
                .deadline
                .is_some_and(|deadline| Instant::now() + wait >= deadline);
            pacer.rate_limited(if out_of_time { Duration::ZERO } else { wait });
            waited_out.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if out_of_time || !self.patient || self.transport.is_halted() {
                return (result, retries);
            }
            tokio::time::sleep(wait).await;
            retries += 1;
            request = reqwest::Request::new(recorded.method.clone(), url.clone());
            *request.headers_mut() = (*recorded.headers).clone();
            if let Some(body) = &recorded.body {
                *request.body_mut() = Some(body.clone().into());
            }
        }
    }

    /// A hand-built request for `operation` (for what the typed client will not send: bad
    /// bodies, missing headers, other credentials).
    pub fn raw(self, operation: &'static Operation, path: String) -> RawRequest {
        RawRequest {
            recorder: self,
            operation,
            path,
            query: Vec::new(),
            content_type: Some(JSON_API),
            body: None,
        }
    }
}

/// How long a 429 asks the client to wait: `X-RateLimit-Reset` (seconds, maybe fractional),
/// else `Retry-After` (seconds), else a backoff that doubles with each retry; at least 100 ms
/// (as go-tfe waits) and at most `MAX_RETRY_WAIT`.
pub fn retry_after(headers: &HeaderMap, retries: u32) -> Duration {
    let said = ["x-ratelimit-reset", "retry-after"]
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()
        })
        .find(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64);
    let backoff = || FIRST_BACKOFF.saturating_mul(1 << retries.min(6));
    said.unwrap_or_else(backoff)
        .clamp(Duration::from_millis(100), MAX_RETRY_WAIT)
}

fn set_auth(headers: &mut HeaderMap, auth: &Auth) {
    headers.remove(header::AUTHORIZATION);
    let value = match auth {
        Auth::None => return,
        Auth::Bearer(secret) => HeaderValue::from_str(&format!("Bearer {}", secret.expose())),
        Auth::Raw(raw) => HeaderValue::from_str(raw),
    };
    if let Ok(mut value) = value {
        value.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, value);
    }
}

fn path_of(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// A copy of `headers` that owns its bytes. hyper hands out header values as slices of the
/// connection's read buffer, which grows to 400 KB after large answers: kept as they are, the
/// headers of every recorded exchange would pin one such buffer each (measured with heaptrack:
/// 116 MB of a run's 200 MB live heap, against a server padding its answers).
fn owned_headers(headers: &HeaderMap) -> HeaderMap {
    let mut owned = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let Ok(name) = http::HeaderName::from_bytes(name.as_str().as_bytes()) else {
            continue;
        };
        if let Ok(mut copy) = HeaderValue::from_bytes(value.as_bytes()) {
            copy.set_sensitive(value.is_sensitive());
            owned.append(name, copy);
        }
    }
    owned
}

/// A response body as it arrived.
enum Received {
    /// Small enough to keep whole (`KEEP_FOR_REPORTS`), copied out of the connection's read
    /// buffer, which a slice of it would otherwise pin (400 KB after large answers).
    Whole(Bytes),
    /// Larger: the chunks it came in, `len` bytes in all.
    Chunks(Vec<Bytes>, usize),
}

impl Received {
    /// The response an exchange keeps, and the secrets found in a body too large to keep
    /// whole (registered already). A large body is read whole once, for its JSON and its
    /// secrets, and keeps its first `KEEP_FOR_REPORTS` bytes.
    fn into_response(self, status: u16, headers: HeaderMap) -> (Response, Vec<String>) {
        match self {
            Received::Whole(body) => (Response::new(status, headers, body), Vec::new()),
            Received::Chunks(chunks, len) => {
                let mut whole = Vec::with_capacity(len);
                for chunk in &chunks {
                    whole.extend_from_slice(chunk);
                }
                drop(chunks);
                let parsed = serde_json::from_slice::<serde_json::Value>(&whole).ok();
                let secrets = redact::register_minted(&whole, || parsed.as_ref());
                let head = Bytes::copy_from_slice(&whole[..KEEP_FOR_REPORTS.min(whole.len())]);
                drop(whole);
                let response = Response::excerpted(status, headers, head, len, parsed);
                (response, secrets)
            }
        }
    }
}

async fn read_capped(mut response: reqwest::Response) -> (Received, Option<TransportError>) {
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    let finish = |chunks: Vec<Bytes>, total: usize| {
        if total <= KEEP_FOR_REPORTS {
            let mut body = Vec::with_capacity(total);
            for chunk in &chunks {
                body.extend_from_slice(chunk);
            }
            Received::Whole(Bytes::from(body))
        } else {
            Received::Chunks(chunks, total)
        }
    };
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if total + chunk.len() > MAX_BODY {
                    let room = MAX_BODY - total;
                    chunks.push(chunk.slice(..room));
                    let error = TransportError {
                        kind: TransportErrorKind::TooLarge,
                        message: format!("response body larger than {MAX_BODY} bytes"),
                        status: None,
                    };
                    return (finish(chunks, MAX_BODY), Some(error));
                }
                total += chunk.len();
                chunks.push(chunk);
            }
            Ok(None) => return (finish(chunks, total), None),
            Err(e) => {
                return (
                    finish(chunks, total),
                    Some(TransportError::from_reqwest(&e)),
                );
            }
        }
    }
}

/// What the generated code gets back: the status alone. Nothing reads its typed values (every
/// check reads the recorded exchange, whose body is parsed once and validated against the
/// spec's schemas), and decoding each body a second time into the generated types cost about
/// 4 % of a run's processor time (measured with `cargo bench` and perf). With no body, the
/// generated code's decode stops at once.
fn handback(status: http::StatusCode) -> reqwest::Response {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    reqwest::Response::from(response)
}

/// A request built by hand, still recorded like every other.
pub struct RawRequest {
    recorder: Recorder,
    operation: &'static Operation,
    path: String,
    query: Vec<(String, String)>,
    content_type: Option<&'static str>,
    body: Option<Bytes>,
}

impl RawRequest {
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// `None` sends no `Content-Type` at all.
    pub fn content_type(mut self, content_type: Option<&'static str>) -> Self {
        self.content_type = content_type;
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub async fn send(self) -> Exchange {
        let url = format!("{}{}", self.recorder.transport.base, self.path);
        let mut builder = self
            .recorder
            .transport
            .http
            .request(self.operation.method.clone(), url)
            .header(header::ACCEPT, JSON_API);
        if !self.query.is_empty() {
            builder = builder.query(&self.query);
        }
        if let Some(ct) = self.content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        if let Some(body) = self.body {
            builder = builder.body(body);
        }
        let journal = &self.recorder.journal;
        match builder.build() {
            Ok(mut request) => {
                set_auth(request.headers_mut(), &self.recorder.auth);
                let _ = self.recorder.exchange(request, self.operation).await;
            }
            Err(e) => {
                // The harness could not even form the request: record that as the outcome.
                journal.push(Exchange {
                    seq: 0,
                    step: String::new(),
                    operation: &self.operation.id,
                    template: &self.operation.path,
                    request: Request {
                        method: self.operation.method.clone(),
                        path: self.path.clone(),
                        headers: Arc::default(),
                        body: None,
                    },
                    outcome: Err(TransportError::from_reqwest(&e)),
                    started: Instant::now(),
                    elapsed: Duration::ZERO,
                    retries: 0,
                });
            }
        }
        journal.last().expect("an exchange was just recorded")
    }
}

impl ClientHooks<Recorder> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        self.inner().prepare(request);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let operation = Spec::get().op(info.operation_id);
        self.inner().exchange(request, operation).await
    }
}

//! The recorder behind the typed client: every request, typed or hand-built, goes through
//! `Recorder::exchange`, which puts the JSON:API headers and the credential on the wire, asks
//! the guard, waits out 429s (`retry`), reads the whole answer up to a cap (`body`) and writes
//! an `Exchange` to the trial's journal before handing the generated code a response to decode.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};

use super::{
    Client, Halt, Journal, Transport,
    body::{owned_headers, read_capped},
    transport::InFlight,
};
use crate::{
    exchange::{Exchange, JSON_API, Request, Response, TransportError, TransportErrorKind},
    redact::{self, Secret},
    spec::Operation,
};

/// The credential a request carries.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(Secret),
    /// A literal `Authorization` header value (malformed on purpose).
    Raw(&'static str),
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
    pub(super) fn prepare(&self, request: &mut reqwest::Request) {
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
                let (response, scanned) = received.into_response(status.as_u16(), headers).await;
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
            id: 0,
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
            id: 0,
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
}

pub(super) fn set_auth(headers: &mut HeaderMap, auth: &Auth) {
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

/// What the generated code gets back: the status alone. Nothing reads its typed values (every
/// check reads the recorded exchange, whose body is parsed once and validated against the
/// spec's schemas), and decoding each body a second time into the generated types cost about
/// 4 % of a run's processor time (measured with `cargo bench` and perf). With no body, the
/// generated code's decode stops at once.
pub(super) fn handback(status: http::StatusCode) -> reqwest::Response {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    reqwest::Response::from(response)
}

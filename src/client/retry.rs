//! A 429 only says "wait": each credential keeps its pace, and a request answered 429 is sent
//! again after the wait the answer asks for, for as long as the run has time.

use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, header};

use super::Recorder;
use crate::exchange::Request;

/// The longest a 429 makes the harness wait before asking again.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);
/// The first wait after a 429 that says nothing of when to come back; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

impl Recorder {
    /// Sends `request` when its credential's budget allows, and again after each 429 for as
    /// long as the run has time: a 429 only says "wait" (ref §6), so it is waited out
    /// (`X-RateLimit-Reset`, else `Retry-After`, else a doubling backoff), and only a server
    /// still answering 429 when the deadline comes is left with it. Requests are rebuilt from
    /// what was recorded: no copy is made unless a retry needs one.
    pub(super) async fn send_with_retries(
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

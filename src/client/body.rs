//! Reading an answer: its headers copied out of the connection's buffer, its body read whole
//! up to a cap, and a large body kept in part (its secrets registered first).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};

use crate::{
    exchange::{KEEP_FOR_REPORTS, Response, TransportError, TransportErrorKind},
    redact,
};

/// Bodies larger than this are not read further; the exchange fails instead.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// A copy of `headers` that owns its bytes. hyper hands out header values as slices of the
/// connection's read buffer, which grows to 400 KB after large answers: kept as they are, the
/// headers of every recorded exchange would pin one such buffer each (measured with heaptrack:
/// 116 MB of a run's 200 MB live heap, against a server padding its answers).
pub(super) fn owned_headers(headers: &HeaderMap) -> HeaderMap {
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
pub(super) enum Received {
    /// Small enough to keep whole (`KEEP_FOR_REPORTS`), copied out of the connection's read
    /// buffer, which a slice of it would otherwise pin (400 KB after large answers).
    Whole(Bytes),
    /// Larger: the chunks it came in, `len` bytes in all, and its place among the large
    /// bodies read at once (`READING_LARGE`), held until it is parsed and cut.
    Chunks(
        Vec<Bytes>,
        usize,
        Option<tokio::sync::SemaphorePermit<'static>>,
    ),
}

impl Received {
    /// The response an exchange keeps, and the secrets found in a body too large to keep
    /// whole (registered already). A large body is read whole once, for its JSON and its
    /// secrets, and keeps its first `KEEP_FOR_REPORTS` bytes.
    pub(super) async fn into_response(
        self,
        status: u16,
        headers: HeaderMap,
    ) -> (Response, Vec<String>) {
        match self {
            Received::Whole(body) => (Response::new(status, headers, body), Vec::new()),
            Received::Chunks(chunks, len, _reading) => {
                // Few whole documents at once, however many requests are under way: a large
                // body's parsed JSON costs up to sixteen times its bytes until it is bounded.
                let _parsing = PARSING.acquire().await;
                let mut whole = Vec::with_capacity(len);
                for chunk in &chunks {
                    whole.extend_from_slice(chunk);
                }
                drop(chunks);
                // Parsed bounded: no whole tree of it is ever built; every `token` value is
                // found all the same, kept or not.
                let (parsed, tokens) = match crate::exchange::parse_bounded(&whole) {
                    Some((value, tokens)) => (Some(value), tokens),
                    None => (None, Vec::new()),
                };
                let mut secrets: Vec<String> =
                    tokens.into_iter().filter(|t| !t.is_empty()).collect();
                for secret in &secrets {
                    redact::register(secret);
                }
                secrets.extend(redact::register_minted(&whole, || None));
                let head = Bytes::copy_from_slice(&whole[..KEEP_FOR_REPORTS.min(whole.len())]);
                drop(whole);
                let response = Response::excerpted(status, headers, head, len, parsed);
                (response, secrets)
            }
        }
    }
}

/// How many large bodies are parsed whole at once, in the whole process.
static PARSING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// How many bodies larger than `KEEP_FOR_REPORTS` are read at once, in the whole process: the
/// others wait (their server waits on a full socket), so that with `--test-threads 64` and
/// every answer near the cap, at most this many are held whole.
const READING_LARGE: usize = 8;

static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READING_LARGE);

pub(super) async fn read_capped(
    mut response: reqwest::Response,
) -> (Received, Option<TransportError>) {
    let mut reading: Option<tokio::sync::SemaphorePermit<'static>> = None;
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    let finish = |chunks: Vec<Bytes>, total: usize, reading| {
        if total <= KEEP_FOR_REPORTS {
            let mut body = Vec::with_capacity(total);
            for chunk in &chunks {
                body.extend_from_slice(chunk);
            }
            Received::Whole(Bytes::from(body))
        } else {
            Received::Chunks(chunks, total, reading)
        }
    };
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if reading.is_none() && total + chunk.len() > KEEP_FOR_REPORTS {
                    reading = READING.acquire().await.ok();
                }
                if total + chunk.len() > MAX_BODY {
                    let room = MAX_BODY - total;
                    chunks.push(chunk.slice(..room));
                    let error = TransportError {
                        kind: TransportErrorKind::TooLarge,
                        message: format!("response body larger than {MAX_BODY} bytes"),
                        status: None,
                    };
                    return (finish(chunks, MAX_BODY, reading), Some(error));
                }
                total += chunk.len();
                chunks.push(chunk);
            }
            Ok(None) => return (finish(chunks, total, reading), None),
            Err(e) => {
                return (
                    finish(chunks, total, reading),
                    Some(TransportError::from_reqwest(&e)),
                );
            }
        }
    }
}

//! Requests built by hand, for what the typed client will not send (bad bodies, missing
//! headers, other credentials): recorded like every other.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::header;

use super::{Recorder, recorder::set_auth};
use crate::{
    exchange::{Exchange, JSON_API, Request, TransportError},
    spec::Operation,
};

impl Recorder {
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

    /// `page[number]` and `page[size]`, each only when given: a list page as a client asks
    /// for it.
    pub fn page(mut self, number: Option<u32>, size: Option<u32>) -> Self {
        if let Some(number) = number {
            self = self.query("page[number]", &number.to_string());
        }
        if let Some(size) = size {
            self = self.query("page[size]", &size.to_string());
        }
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
                    id: 0,
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

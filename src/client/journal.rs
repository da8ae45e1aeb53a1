//! A trial's journal: every exchange it recorded, in order, and the step it is at.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use http::Method;

use crate::exchange::{Exchange, KEEP_FOR_REPORTS, Request, TransportError, TransportErrorKind};

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
            id: 0,
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

    pub(super) fn push(&self, mut exchange: Exchange) {
        if let Ok(response) = &exchange.outcome
            && response.body.len() > KEEP_FOR_REPORTS
        {
            exchange.outcome = Ok(response.compacted(KEEP_FOR_REPORTS));
        }
        let mut inner = self.lock();
        exchange.seq = inner.exchanges.len() + 1;
        exchange.id = crate::exchange::next_id();
        exchange.step = inner.step.clone();
        inner.exchanges.push(exchange);
    }

    pub(super) fn push_and_get(&self, exchange: Exchange) -> Exchange {
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

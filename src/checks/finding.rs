//! A finding: one way an exchange broke the contract.

use std::fmt;

use super::clients::Break;
use crate::{exchange::Exchange, redact};

/// Two findings are the same when they say the same (rule, exchange label, expected, actual,
/// where, source, clients): a trial records each once, and the whole-run checks gather the same
/// words from every trial once. Which exchange (by id), which drawn case and the reproduction
/// are where it was seen, not what it says.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule broken, e.g. `status`, `media-type`, `schema`.
    pub rule: &'static str,
    /// The exchange, as `Exchange::label` names it (redacted); none for findings about a run.
    pub exchange: Option<String>,
    /// The spec operation of that exchange, and the status it got (none: no answer), so that
    /// findings can be grouped by cause.
    pub operation: Option<&'static str>,
    pub status: Option<u16>,
    pub expected: String,
    pub actual: String,
    /// JSON pointer into the response body, where it applies.
    pub pointer: Option<String>,
    /// What says so: a spec operation, or a section of the reference notes.
    pub source: String,
    /// Real clients this deviation makes fail, with the place in their code (`clients`).
    pub clients: Vec<&'static Break>,
    /// The exchange, by `Exchange::id`: where reports link and what a reproduction sends.
    pub exchange_id: Option<u64>,
    /// The case exploration drew and shrunk, when the finding is one of its.
    pub case: Option<std::sync::Arc<DrawnCase>>,
    /// The requests that show it again, one shell command line (`curl`) each, in order;
    /// filled in by the runner when the trial ends, redacted.
    pub reproduce: Vec<String>,
}

impl PartialEq for Finding {
    fn eq(&self, other: &Self) -> bool {
        (
            self.rule,
            &self.exchange,
            self.operation,
            self.status,
            &self.expected,
            &self.actual,
            &self.pointer,
            &self.source,
            &self.clients,
        ) == (
            other.rule,
            &other.exchange,
            other.operation,
            other.status,
            &other.expected,
            &other.actual,
            &other.pointer,
            &other.source,
            &other.clients,
        )
    }
}

impl Eq for Finding {}

/// The smallest case exploration found breaking the contract: its requests, and how to draw
/// exactly it again (`tfe-contract replay`) without searching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawnCase {
    /// The case in words.
    pub description: String,
    /// Its requests in order, by `Exchange::id`.
    pub requests: Vec<u64>,
    /// How it was reached from the trial's seed.
    pub path: CasePath,
}

/// How a case is reached from a trial's seed: the `draw`th case drawn (from 1), then the
/// shrinking moves that led from it to the smallest (`s` simpler, `c` back toward the last
/// that broke the contract), and, for a sequence, how many of its steps the drawn case ran
/// (what proptest-state-machine's first simplification reads).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CasePath {
    pub draw: u32,
    pub moves: String,
    pub ran: Option<u64>,
}

impl Finding {
    pub fn new(
        rule: &'static str,
        exchange: &Exchange,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            exchange: Some(exchange.label()),
            operation: Some(exchange.operation),
            status: exchange.status(),
            expected: redact::text(&expected.into()),
            actual: redact::text(&actual.into()),
            pointer: None,
            source: String::new(),
            clients: Vec::new(),
            exchange_id: Some(exchange.id),
            case: None,
            reproduce: Vec::new(),
        }
    }

    /// A finding not tied to one exchange (e.g. a snapshot of the whole trial).
    pub fn general(
        rule: &'static str,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            exchange: None,
            operation: None,
            status: None,
            expected: redact::text(&expected.into()),
            actual: redact::text(&actual.into()),
            pointer: None,
            source: String::new(),
            clients: Vec::new(),
            exchange_id: None,
            case: None,
            reproduce: Vec::new(),
        }
    }

    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// A real client this deviation makes fail (the check knows it from what it sent).
    pub fn breaks(mut self, client: &'static Break) -> Self {
        if !self.clients.contains(&client) {
            self.clients.push(client);
        }
        self
    }

    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// The exchange got no response at all: every check on it fails the same way.
    pub fn no_response(exchange: &Exchange) -> Self {
        if let Err(e) = &exchange.outcome
            && e.kind == crate::exchange::TransportErrorKind::RateLimited
        {
            return Finding::new(
                "rate-limit",
                exchange,
                "an answer other than 429",
                &e.message,
            )
            .source("ref §6: any endpoint may answer 429; the harness waits and retries");
        }
        let actual = match &exchange.outcome {
            Err(e) => match e.status {
                Some(status) => format!("{status} whose body could not be read: {e}"),
                None => format!("no response: {e}"),
            },
            Ok(_) => "a response".to_string(),
        };
        Finding::new("transport", exchange, "a complete HTTP response", actual)
    }
}

impl Finding {
    /// The server still answered 429 when the harness stopped retrying: not a verdict on the
    /// operation (any endpoint may answer 429, ref §6), but no answer either, so the trial
    /// fails saying that the server kept asking to wait.
    pub fn rate_limited(exchange: &Exchange, expected: &str) -> Self {
        let retries = exchange.retries;
        Finding::new(
            "rate-limit",
            exchange,
            expected,
            format!(
                "429 Too Many Requests still, after {retries} {}: the server kept asking to wait \
                 until the run's deadline (--deadline) or its end",
                if retries == 1 { "retry" } else { "retries" }
            ),
        )
        .source("ref §6: any endpoint may answer 429; the harness waits and retries")
    }

    /// The finding without its exchange: `rule at /pointer: expected X, got Y [source]`.
    pub fn detail(&self) -> String {
        let mut line = self.rule.to_string();
        if let Some(pointer) = &self.pointer {
            line.push_str(" at ");
            line.push_str(if pointer.is_empty() { "/" } else { pointer });
        }
        line.push_str(&format!(
            ": expected {}, got {}",
            self.expected, self.actual
        ));
        if !self.source.is_empty() {
            line.push_str(&format!(" [{}]", self.source));
        }
        for b in &self.clients {
            line.push_str(&format!(
                "\n    breaks {}: {} ({})",
                b.client, b.effect, b.location
            ));
        }
        line
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(exchange) = &self.exchange {
            writeln!(f, "{exchange}")?;
        }
        write!(f, "  {}", self.detail())
    }
}

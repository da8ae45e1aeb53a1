//! Each trial as the page shows it: its outcome, findings and exchanges, with the headers and
//! bodies of failed trials' exchanges while the page's budget lasts.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::{
    checks::Finding,
    exchange::Exchange,
    record::{RunReport, TrialOutcome, TrialRecord},
    redact,
    report::json,
};

/// At most this many characters of one body are shown.
pub const BODY_CHARS: usize = 4000;

/// Headers and bodies of failed trials' exchanges (and findings' reproductions) are shown
/// until they add up to this many bytes; later exchanges are listed without them.
pub const DETAIL_BUDGET: usize = 950_000;

/// The one-line listings of exchanges no finding names take at most this many bytes: failed
/// trials' first, then the passing trials', the tour's and the housekeeping's; past it a
/// trial says how many of its exchanges are left to the JSON report. An exploring run sends
/// 1,400 to 2,500 requests (one seed's sequences are longer than another's), about 220 bytes
/// each on the page: listing them all put a faulty run's page at 2.45 MB. With both budgets
/// spent, the rest of the page (a row per trial, findings, the matrix, coverage: about 450 KB
/// for a whole run failing almost everywhere) keeps it under 2 MB. A finding's exchange is
/// always listed, so that its link has somewhere to go, and so is a matrix cell's.
pub const LINE_BUDGET: usize = 420_000;

/// No exchange's headers and bodies take less than this: below it the budget is spent.
const MIN_DETAIL: usize = 400;

/// What is left of the page's budgets while its trials are laid out, and what they left out.
pub(super) struct Budget {
    /// For the headers and bodies of exchanges no finding names, and for reproductions.
    detail: usize,
    /// Kept out of `detail` for the headers and bodies of the exchanges findings name (of
    /// failed trials, the tour and the housekeeping): a failed trial of hundreds of exchanges
    /// (a shrunk sequence) laid out first must not leave the later failures' evidence bare.
    reserved: usize,
    /// For failed trials' exchange lines.
    failed_lines: usize,
    /// For the other exchange lines: what the failed trials' lines leave of `LINE_BUDGET`.
    other_lines: usize,
    /// Every exchange a finding names, whichever trial's: always listed.
    named: HashSet<u64>,
    /// Exchanges something else on the page links to (the matrix's cells): always listed.
    linked: HashSet<u64>,
    /// Exchanges of failed trials listed without headers and bodies, and findings without
    /// their reproduction.
    pub(super) unshown: usize,
    /// Exchanges not listed at all.
    pub(super) unlisted: usize,
}

impl Budget {
    pub(super) fn for_run(report: &RunReport, linked: impl IntoIterator<Item = u64>) -> Self {
        let named: HashSet<u64> = report
            .trials
            .iter()
            .flat_map(|t| t.findings.iter().filter_map(|f| f.exchange_id))
            .collect();
        let failed_lines: usize = report
            .trials
            .iter()
            .filter(|t| failed(t))
            .flat_map(|t| {
                t.exchanges
                    .iter()
                    .chain(&t.released)
                    .map(|ex| (&t.name, ex))
            })
            .filter(|(_, ex)| !named.contains(&ex.id))
            .map(|(name, ex)| line_cost(ex, anchor(name).len() + 4))
            .sum();
        // What showing every named exchange costs, up to the whole detail budget.
        let reserved: usize = report
            .trials
            .iter()
            .filter(|t| failed(t))
            .flat_map(|t| t.exchanges.iter().chain(&t.released))
            .chain(report.tour.iter())
            .chain(report.housekeeping.iter())
            .filter(|ex| named.contains(&ex.id))
            .map(|ex| detail(ex).cost())
            .sum::<usize>()
            .min(DETAIL_BUDGET);
        let linked = linked.into_iter().collect();
        Budget {
            detail: DETAIL_BUDGET - reserved,
            reserved,
            failed_lines: LINE_BUDGET,
            other_lines: LINE_BUDGET.saturating_sub(failed_lines),
            named,
            linked,
            unshown: 0,
            unlisted: 0,
        }
    }

    pub(super) fn is_named(&self, ex: &Exchange) -> bool {
        self.named.contains(&ex.id)
    }

    /// Whether `ex`'s line is listed: named by a finding, linked from elsewhere on the page, or
    /// within its share of the budget.
    fn list(&mut self, ex: &Exchange, anchor: &str, of_failed: bool) -> bool {
        if self.named.contains(&ex.id) || self.linked.contains(&ex.id) {
            return true;
        }
        let cost = line_cost(ex, anchor.len());
        let left = if of_failed {
            &mut self.failed_lines
        } else {
            &mut self.other_lines
        };
        if cost <= *left {
            *left -= cost;
            true
        } else {
            self.unlisted += 1;
            false
        }
    }

    /// Takes `cost` from the detail budget if it is there; a named exchange's from what was
    /// kept for them first.
    fn spend(&mut self, cost: usize, named: bool) -> bool {
        if named && cost <= self.reserved {
            self.reserved -= cost;
            return true;
        }
        if self.detail >= MIN_DETAIL && cost <= self.detail {
            self.detail -= cost;
            true
        } else {
            self.unshown += 1;
            false
        }
    }
}

/// About what an exchange's one-line listing adds to the page, in bytes, escaped.
fn line_cost(ex: &Exchange, anchor_len: usize) -> usize {
    escaped_len(&ex.request.path) + escaped_len(&ex.step) + anchor_len + 120
}

/// A failed trial, a known failure and a trial that panicked show their findings and
/// exchanges alike.
fn failed(t: &TrialRecord) -> bool {
    matches!(
        t.outcome,
        TrialOutcome::Failed | TrialOutcome::Known(_) | TrialOutcome::Panicked
    )
}

pub(super) struct TrialView {
    pub(super) name: String,
    pub(super) anchor: String,
    pub(super) class: &'static str,
    pub(super) label: &'static str,
    pub(super) duration: String,
    pub(super) reason: Option<String>,
    /// A failure that no finding explains (a panic of the harness).
    pub(super) message: Option<String>,
    pub(super) findings: Vec<FindingView>,
    pub(super) exchanges: Vec<ExchangeView>,
    pub(super) cleanup: Vec<ExchangeView>,
    /// Its exchanges not listed on the page (the budget for lines was spent).
    pub(super) unlisted: usize,
}

pub(super) struct FindingView {
    pub(super) kind: &'static str,
    pub(super) expected: String,
    pub(super) actual: String,
    pub(super) pointer: String,
    pub(super) source: String,
    /// The real clients this finding breaks, each with the code that does.
    pub(super) breaks: Vec<String>,
    pub(super) exchange: String,
    pub(super) href: Option<String>,
    /// The command lines that reproduce it (`crate::reproduce`).
    pub(super) reproduce: Vec<String>,
}

pub(super) struct ExchangeView {
    pub(super) anchor: String,
    pub(super) seq: usize,
    pub(super) step: String,
    pub(super) method: String,
    pub(super) path: String,
    pub(super) status: String,
    pub(super) status_class: &'static str,
    pub(super) elapsed: String,
    /// A finding names it: shown open.
    pub(super) open: bool,
    pub(super) detail: Option<Detail>,
}

pub(super) struct Detail {
    pub(super) request_headers: Vec<(String, String)>,
    pub(super) request_body: Option<String>,
    pub(super) response_headers: Vec<(String, String)>,
    pub(super) response_body: Option<String>,
    /// No response: what happened instead.
    pub(super) error: Option<String>,
    /// The body was kept only in part when it was recorded.
    pub(super) kept: Option<String>,
}

/// The trial name's prefix: `org_token`, `authz`, ...
pub(super) fn area(name: &str) -> &str {
    name.split_once("::").map_or(name, |(a, _)| a)
}

/// An id for a trial's element: its name with `::` and anything else unusual as `-`.
pub(super) fn anchor(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("t-{id}")
}

pub(super) fn exchange_anchor(trial: &str, seq: usize) -> String {
    format!("{}-x{seq}", anchor(trial))
}

/// The trial's own exchange a finding names, by the `#N` its label starts with and the label
/// itself: a whole-run check names exchanges of other trials, which may share the number.
fn finding_seq(f: &Finding, t: &TrialRecord) -> Option<usize> {
    let label = f.exchange.as_deref()?;
    let seq: usize = label.strip_prefix('#')?.split(' ').next()?.parse().ok()?;
    t.exchanges
        .iter()
        .any(|e| e.seq == seq && e.label() == label)
        .then_some(seq)
}

fn millis(d: std::time::Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// Where each exchange of the run is on the page, by `Exchange::id`: a trial's, its
/// cleanup's, the tour's and the housekeeping's (`other_anchor`).
pub(super) fn exchange_places(report: &RunReport) -> HashMap<u64, String> {
    let mut places = HashMap::new();
    for t in &report.trials {
        for ex in t.exchanges.iter() {
            places.insert(ex.id, exchange_anchor(&t.name, ex.seq));
        }
        for ex in &t.released {
            places.insert(ex.id, format!("{}-c{}", anchor(&t.name), ex.seq));
        }
    }
    for (part, list) in [
        ("tour", &report.tour),
        ("housekeeping", &report.housekeeping),
    ] {
        for (n, ex) in list.iter().enumerate() {
            places.insert(ex.id, other_anchor(part, n + 1));
        }
    }
    places
}

/// The id of the `n`th exchange (from 1) of the tour or the housekeeping: their exchanges
/// come from several journals, whose numbers repeat.
pub(super) fn other_anchor(part: &str, n: usize) -> String {
    format!("{part}-x{n}")
}

/// An exchange of the tour or the housekeeping, listed while the lines' budget lasts and
/// shown open with its headers and bodies when a finding names it (while the page's budget
/// lasts).
pub(super) fn other_exchange(
    ex: &Exchange,
    anchor: String,
    budget: &mut Budget,
) -> Option<ExchangeView> {
    if !budget.list(ex, &anchor, false) {
        return None;
    }
    let named = budget.is_named(ex);
    let detail = named
        .then(|| detail(ex))
        .filter(|d| budget.spend(d.cost(), true));
    Some(exchange_view(ex, anchor, named, detail))
}

pub(super) fn trial_view<'a>(
    t: &'a TrialRecord,
    places: &HashMap<u64, String>,
    budget: &mut Budget,
) -> TrialView {
    let failed = failed(t);
    let (class, label, reason) = match &t.outcome {
        TrialOutcome::Passed => ("pass", "passed", None),
        TrialOutcome::Failed => ("fail", "FAILED", None),
        TrialOutcome::Ignored(r) => ("ign", "ignored", Some(redact::text(r))),
        TrialOutcome::Known(r) => ("known", "known failure", Some(redact::text(r))),
        TrialOutcome::Panicked => ("panic", "PANICKED", None),
    };
    let mut unlisted = 0;
    let mut exchange = |ex: &Exchange, anchor: String, budget: &mut Budget| {
        if !budget.list(ex, &anchor, failed) {
            unlisted += 1;
            return None;
        }
        let detail = failed
            .then(|| detail(ex))
            .filter(|d| budget.spend(d.cost(), budget.is_named(ex)));
        Some(exchange_view(ex, anchor, budget.is_named(ex), detail))
    };
    let exchanges = t
        .exchanges
        .iter()
        .filter_map(|ex| exchange(ex, exchange_anchor(&t.name, ex.seq), budget))
        .collect();
    let cleanup = t
        .released
        .iter()
        .filter_map(|ex| exchange(ex, format!("{}-c{}", anchor(&t.name), ex.seq), budget))
        .collect();
    // A reproduction is shown once for the findings that share it, and costs the page's
    // budget as headers and bodies do (the JSON report has every one).
    let mut last_shown: &[String] = &[];
    let mut reproduction = |f: &'a Finding| -> Vec<String> {
        if f.reproduce.is_empty() || f.reproduce.as_slice() == last_shown {
            return Vec::new();
        }
        let lines: Vec<String> = f.reproduce.iter().map(|l| redact::text(l)).collect();
        let cost: usize = lines.iter().map(|l| escaped_len(l)).sum();
        if !budget.spend(cost, false) {
            return Vec::new();
        }
        last_shown = &f.reproduce;
        lines
    };
    let findings = t
        .findings
        .iter()
        .map(|f| FindingView {
            kind: f.rule,
            expected: redact::text(&f.expected),
            actual: redact::text(&f.actual),
            pointer: f
                .pointer
                .as_deref()
                .map(|p| if p.is_empty() { "/" } else { p })
                .map(redact::text)
                .unwrap_or_default(),
            source: redact::text(&f.source),
            breaks: f
                .clients
                .iter()
                .map(|b| format!("breaks {}: {} ({})", b.client, b.effect, b.location))
                .collect(),
            exchange: f.exchange.as_deref().map(redact::text).unwrap_or_default(),
            href: f
                .exchange_id
                .and_then(|id| places.get(&id).cloned())
                .or_else(|| finding_seq(f, t).map(|seq| exchange_anchor(&t.name, seq))),
            reproduce: reproduction(f),
        })
        .collect();
    TrialView {
        name: t.name.clone(),
        anchor: anchor(&t.name),
        class,
        label,
        duration: millis(t.duration),
        reason,
        // The findings say the rest of the message; a panic only the message says.
        message: t
            .message
            .as_deref()
            .filter(|m| failed && (t.findings.is_empty() || m.starts_with("the trial panicked")))
            .map(redact::text),
        findings,
        exchanges,
        cleanup,
        unlisted,
    }
}

fn exchange_view(
    ex: &Exchange,
    anchor: String,
    open: bool,
    detail: Option<Detail>,
) -> ExchangeView {
    let (status, status_class) = match &ex.outcome {
        Ok(r) => (
            r.status.to_string(),
            match r.status {
                200..=299 => "s2",
                300..=399 => "s3",
                400..=499 => "s4",
                _ => "s5",
            },
        ),
        Err(e) => match e.status {
            Some(s) => (format!("{s}, body incomplete"), "s5"),
            None => ("no response".to_string(), "s5"),
        },
    };
    ExchangeView {
        anchor,
        seq: ex.seq,
        step: redact::text(&ex.step),
        method: ex.request.method.to_string(),
        path: redact::text(&ex.request.path),
        status,
        status_class,
        elapsed: millis(ex.elapsed),
        open,
        detail,
    }
}

/// Headers as the JSON report shows them, as (name, value) pairs.
fn header_pairs(map: &http::HeaderMap) -> Vec<(String, String)> {
    match json::headers(map) {
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

/// A body as the JSON report shows it (redacted, JSON pretty-printed), cut to `BODY_CHARS`.
fn shown_body(bytes: &[u8]) -> Option<String> {
    let text = match json::body(bytes) {
        Value::Null => return None,
        Value::String(s) => s,
        other => serde_json::to_string_pretty(&other).unwrap_or_default(),
    };
    let text = redact::text(&text);
    if text.chars().count() <= BODY_CHARS {
        return Some(text);
    }
    let cut: String = text.chars().take(BODY_CHARS).collect();
    Some(format!(
        "{cut}\n... (cut for this page: {} bytes in all; the JSON report has more)",
        bytes.len()
    ))
}

fn detail(ex: &Exchange) -> Detail {
    let request_headers = header_pairs(&ex.request.headers);
    let request_body = ex.request.body.as_deref().and_then(shown_body);
    match &ex.outcome {
        Ok(r) => Detail {
            request_headers,
            request_body,
            response_headers: header_pairs(&r.headers),
            response_body: shown_body(&r.body),
            error: None,
            kept: r.full_len.map(|full| {
                format!(
                    "the first {} of {full} bytes were kept when it was recorded",
                    r.body.len()
                )
            }),
        },
        Err(e) => Detail {
            request_headers,
            request_body,
            response_headers: Vec::new(),
            response_body: None,
            error: Some(redact::text(&e.message)),
            kept: None,
        },
    }
}

impl Detail {
    /// About what it adds to the page, in bytes, escaped.
    fn cost(&self) -> usize {
        let pairs = |h: &[(String, String)]| {
            h.iter()
                .map(|(k, v)| escaped_len(k) + escaped_len(v) + 40)
                .sum::<usize>()
        };
        let text = |t: &Option<String>| t.as_deref().map_or(0, escaped_len);
        pairs(&self.request_headers)
            + pairs(&self.response_headers)
            + text(&self.request_body)
            + text(&self.response_body)
            + text(&self.error)
            + 300
    }
}

/// The length of `text` once HTML-escaped (each of `<>&"'` becomes an entity of 4 or 5 bytes).
fn escaped_len(text: &str) -> usize {
    text.len()
        + 4 * text
            .bytes()
            .filter(|b| matches!(b, b'<' | b'>' | b'&' | b'"' | b'\''))
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_plain() {
        assert_eq!(
            anchor("authz::show_team_token::owner"),
            "t-authz--show_team_token--owner"
        );
        assert_eq!(exchange_anchor("a::b", 3), "t-a--b-x3");
    }
}

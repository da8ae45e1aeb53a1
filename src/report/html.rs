//! The HTML report: one self-contained page per run (no script, nothing fetched), rendered
//! from the run's records after the run. A header with the verdict, the authorization matrix
//! as a grid, every trial by area (a failed one opens to its findings and its exchanges), and
//! the spec coverage. Every value shown is redacted with the helpers the JSON report uses,
//! then escaped by the template (askama escapes everything in an `.html` template); the page
//! as a whole is redacted once more before it is written, like every report.

use std::{fs, path::Path};

use askama::Template;
use serde_json::Value;

use super::{coverage::Coverage, json};
use crate::{
    checks::Finding,
    exchange::Exchange,
    record::{
        EXIT_FAILED, EXIT_HARNESS_BUG, EXIT_INTERRUPTED, EXIT_PASSED, MatrixCell, MatrixRow,
        RunReport, TrialOutcome, TrialRecord,
    },
    redact,
};

/// At most this many characters of one body are shown.
pub const BODY_CHARS: usize = 4000;

/// Headers and bodies of failed trials' exchanges are shown until they add up to this many
/// bytes; later exchanges are listed without them. With the one-line listings of every
/// exchange and the rest of the page this keeps a full run's page under 2 MB, however much
/// fails.
pub const DETAIL_BUDGET: usize = 1_200_000;

/// No exchange's headers and bodies take less than this: below it the budget is spent.
const MIN_DETAIL: usize = 400;

/// Renders the page. `causes` are the run's grouped causes, one line each (none yet: the
/// section is left out when there are none).
pub fn render(
    report: &RunReport,
    coverage: &Coverage,
    causes: &[String],
) -> Result<String, String> {
    let page = Page::build(report, coverage, causes);
    let html = page.render().map_err(|e| e.to_string())?;
    Ok(redact::text(&html))
}

pub fn write(
    path: &Path,
    report: &RunReport,
    coverage: &Coverage,
    causes: &[String],
) -> Result<(), String> {
    let html = render(report, coverage, causes)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    fs::write(path, html).map_err(|e| e.to_string())
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    target: String,
    profile: String,
    version: &'static str,
    /// When the page was rendered, right after the run.
    rendered: String,
    exit_code: u8,
    verdict: &'static str,
    verdict_class: &'static str,
    passed: usize,
    failed: usize,
    ignored: usize,
    /// Trials that panicked: bugs of the harness, shown apart from failures.
    panicked: usize,
    exchanges: usize,
    notes: Vec<String>,
    /// Issue 12's grouped causes, one line each; the section shows only when there are some.
    causes: Vec<String>,
    failures: Vec<FailureLink>,
    panics: Vec<FailureLink>,
    matrix: Option<Matrix>,
    areas: Vec<Area>,
    coverage: CoverageView,
    /// Exchanges of failed trials listed without headers and bodies (the page's budget).
    unshown: usize,
    body_chars: usize,
}

struct FailureLink {
    name: String,
    anchor: String,
    first: String,
}

struct Matrix {
    personas: Vec<String>,
    rows: Vec<MatrixRowView>,
}

struct MatrixRowView {
    name: String,
    operation: String,
    source: String,
    cells: Vec<Cell>,
    leak: Cell,
}

struct Cell {
    /// The trial's name.
    trial: String,
    /// `pass`, `fail`, `ign` or `na`.
    class: &'static str,
    expected: String,
    actual: String,
    href: Option<String>,
    title: String,
}

struct Area {
    name: String,
    open: bool,
    passed: usize,
    failed: usize,
    ignored: usize,
    panicked: usize,
    trials: Vec<TrialView>,
}

struct TrialView {
    name: String,
    anchor: String,
    class: &'static str,
    label: &'static str,
    duration: String,
    reason: Option<String>,
    /// A failure that no finding explains (a panic of the harness).
    message: Option<String>,
    findings: Vec<FindingView>,
    exchanges: Vec<ExchangeView>,
    cleanup: Vec<ExchangeView>,
}

struct FindingView {
    kind: &'static str,
    expected: String,
    actual: String,
    pointer: String,
    source: String,
    /// The real clients this finding breaks, each with the code that does.
    breaks: Vec<String>,
    exchange: String,
    href: Option<String>,
}

struct ExchangeView {
    anchor: String,
    seq: usize,
    step: String,
    method: String,
    path: String,
    status: String,
    status_class: &'static str,
    elapsed: String,
    /// A finding names it: shown open.
    open: bool,
    detail: Option<Detail>,
}

struct Detail {
    request_headers: Vec<(String, String)>,
    request_body: Option<String>,
    response_headers: Vec<(String, String)>,
    response_body: Option<String>,
    /// No response: what happened instead.
    error: Option<String>,
    /// The body was kept only in part when it was recorded.
    kept: Option<String>,
}

struct CoverageView {
    exercised: usize,
    documented: usize,
    rows: Vec<CoverageRow>,
}

struct CoverageRow {
    operation: String,
    method: String,
    path: String,
    statuses: Vec<(u16, bool)>,
    undocumented: Vec<u16>,
}

impl Page {
    fn build(report: &RunReport, coverage: &Coverage, causes: &[String]) -> Self {
        let count =
            |o: fn(&TrialOutcome) -> bool| report.trials.iter().filter(|t| o(&t.outcome)).count();
        let exit_code = report.exit_code();
        let (verdict, verdict_class) = match exit_code {
            EXIT_PASSED => ("every check passed", "pass"),
            EXIT_FAILED => ("a check failed: the server broke the contract", "fail"),
            EXIT_INTERRUPTED => ("interrupted (Ctrl-C)", "ign"),
            EXIT_HARNESS_BUG => (
                "a trial panicked: a bug of the harness, not of the server",
                "panic",
            ),
            _ => ("the harness could not run", "fail"),
        };
        let mut budget = DETAIL_BUDGET;
        let mut unshown = 0;
        let mut areas: Vec<Area> = Vec::new();
        for trial in &report.trials {
            let area_name = area(&trial.name);
            let view = trial_view(trial, &mut budget, &mut unshown);
            let slot = match areas.iter_mut().position(|a| a.name == area_name) {
                Some(i) => &mut areas[i],
                None => {
                    areas.push(Area {
                        name: area_name.to_string(),
                        open: false,
                        passed: 0,
                        failed: 0,
                        ignored: 0,
                        panicked: 0,
                        trials: Vec::new(),
                    });
                    areas.last_mut().expect("just pushed")
                }
            };
            match &trial.outcome {
                TrialOutcome::Passed => slot.passed += 1,
                TrialOutcome::Failed => {
                    slot.failed += 1;
                    slot.open = true;
                }
                // A known failure (--baseline) does not fail the run: counted apart from both.
                TrialOutcome::Ignored(_) | TrialOutcome::Known(_) => slot.ignored += 1,
                TrialOutcome::Panicked => {
                    slot.panicked += 1;
                    slot.open = true;
                }
            }
            slot.trials.push(view);
        }
        let link = |t: &TrialRecord| FailureLink {
            name: t.name.clone(),
            anchor: anchor(&t.name),
            first: first_finding(t),
        };
        let failures = report.failed().map(link).collect();
        let panics = report.panicked().map(link).collect();
        let (exercised, documented) = coverage.counts();
        Page {
            target: redact::text(&report.target),
            profile: report.profile.map_or("-", |p| p.name()).to_string(),
            version: env!("CARGO_PKG_VERSION"),
            rendered: chrono::Utc::now()
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            exit_code,
            verdict,
            verdict_class,
            passed: count(|o| *o == TrialOutcome::Passed),
            failed: count(|o| *o == TrialOutcome::Failed),
            ignored: count(|o| matches!(o, TrialOutcome::Ignored(_) | TrialOutcome::Known(_))),
            panicked: count(|o| *o == TrialOutcome::Panicked),
            exchanges: report.exchanges().count(),
            notes: notes(report),
            causes: causes.iter().map(|c| redact::text(c)).collect(),
            failures,
            panics,
            matrix: matrix(report),
            areas,
            coverage: CoverageView {
                exercised,
                documented,
                rows: coverage
                    .operations
                    .iter()
                    .map(|o| CoverageRow {
                        operation: o.operation.clone(),
                        method: o.method.clone(),
                        path: o.path.clone(),
                        statuses: o.statuses.iter().map(|s| (s.status, s.exercised)).collect(),
                        undocumented: o.undocumented.clone(),
                    })
                    .collect(),
            },
            unshown,
            body_chars: BODY_CHARS,
        }
    }
}

/// The trial name's prefix: `org_token`, `authz`, ...
fn area(name: &str) -> &str {
    name.split_once("::").map_or(name, |(a, _)| a)
}

/// An id for a trial's element: its name with `::` and anything else unusual as `-`.
fn anchor(name: &str) -> String {
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

fn exchange_anchor(trial: &str, seq: usize) -> String {
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

/// The line a list of trials shows for `t`: its first finding, or what it panicked with.
fn first_finding(t: &TrialRecord) -> String {
    match t
        .findings
        .first()
        .filter(|_| t.outcome != TrialOutcome::Panicked)
    {
        Some(f) => redact::text(&f.detail()),
        None => t
            .message
            .as_deref()
            .and_then(|m| m.lines().next())
            .map(redact::text)
            .unwrap_or_default(),
    }
}

fn notes(report: &RunReport) -> Vec<String> {
    let mut notes = Vec::new();
    if report.interrupted {
        notes.push("Ctrl-C stopped the run: what had not run is missing.".to_string());
    }
    if report.deadline_passed {
        notes.push(
            "The run reached its deadline (--deadline): the requests still to come were not sent."
                .to_string(),
        );
    }
    let rate = &report.rate;
    if let Some(pace) = rate.paced_at {
        notes.push(format!(
            "Paced at {pace:.1} requests/s per token; requests waited {:.1} s for their turn.",
            rate.paced_wait.as_secs_f64()
        ));
    }
    if rate.too_many_requests > 0 {
        notes.push(format!(
            "{} answer(s) were 429 Too Many Requests; the run waited {:.1} s for them.",
            rate.too_many_requests,
            rate.waited_out.as_secs_f64()
        ));
    }
    let destructive = report
        .trials
        .iter()
        .filter(|t| matches!(&t.outcome, TrialOutcome::Ignored(r) if r.starts_with("destructive")))
        .count();
    if destructive > 0 && !report.destructive_allowed {
        notes.push(format!(
            "Not checked: {destructive} destructive trial(s); pass --allow-destructive to run them."
        ));
    }
    for leftover in &report.leftovers {
        notes.push(format!(
            "Left behind: {} (could not be deleted; remove it by hand).",
            redact::text(leftover)
        ));
    }
    notes
}

fn matrix(report: &RunReport) -> Option<Matrix> {
    if !report.trials.iter().any(|t| area(&t.name) == "authz") {
        return None;
    }
    let rows = report
        .matrix
        .rows
        .iter()
        .map(|row| MatrixRowView {
            name: row.name.clone(),
            operation: row.operation.clone(),
            source: row.source.clone(),
            cells: row.cells.iter().map(|c| cell(report, row, c)).collect(),
            leak: leak_cell(report, row),
        })
        .collect();
    Some(Matrix {
        personas: report.matrix.personas.clone(),
        rows,
    })
}

fn cell(report: &RunReport, row: &MatrixRow, of: &MatrixCell) -> Cell {
    let name = of.trial.clone();
    let expected = of.expected_short.clone();
    let Some(trial) = report.trial(&name) else {
        return Cell {
            title: format!("{name}: not part of this run"),
            trial: name,
            class: "na",
            expected,
            actual: "-".into(),
            href: None,
        };
    };
    let acting = trial.exchanges.iter().find(|e| e.step == of.acting_step);
    let actual = match acting.map(|e| &e.outcome) {
        Some(Ok(r)) => r.status.to_string(),
        Some(Err(_)) => "no answer".into(),
        None => "not sent".into(),
    };
    let (class, outcome) = match &trial.outcome {
        TrialOutcome::Passed => ("pass", "passed".to_string()),
        TrialOutcome::Failed => ("fail", "FAILED".to_string()),
        TrialOutcome::Ignored(reason) => ("ign", format!("ignored: {}", redact::text(reason))),
        TrialOutcome::Known(reason) => ("known", redact::text(reason)),
        TrialOutcome::Panicked => ("panic", "PANICKED (a bug of the harness)".to_string()),
    };
    let actual = if class == "ign" {
        "ignored".into()
    } else {
        actual
    };
    let href = match acting {
        Some(e) => exchange_anchor(&name, e.seq),
        None => anchor(&name),
    };
    Cell {
        title: format!(
            "{name}: {outcome}; expected {} [{}]",
            of.expected, row.source
        ),
        trial: name,
        class,
        expected,
        actual,
        href: Some(href),
    }
}

fn leak_cell(report: &RunReport, row: &MatrixRow) -> Cell {
    let name = row.leak_trial.clone();
    let (class, actual, title) = match report.trial(&name).map(|t| &t.outcome) {
        None => ("na", "-", format!("{name}: not part of this run")),
        Some(TrialOutcome::Passed) => ("pass", "same", format!("{name}: passed")),
        Some(TrialOutcome::Failed) => ("fail", "differs", format!("{name}: FAILED")),
        Some(TrialOutcome::Ignored(r)) => (
            "ign",
            "ignored",
            format!("{name}: ignored: {}", redact::text(r)),
        ),
        Some(TrialOutcome::Known(r)) => {
            ("known", "differs", format!("{name}: {}", redact::text(r)))
        }
        Some(TrialOutcome::Panicked) => (
            "panic",
            "panicked",
            format!("{name}: PANICKED (a bug of the harness)"),
        ),
    };
    Cell {
        href: (class != "na").then(|| anchor(&name)),
        trial: name,
        class,
        expected: "as missing".into(),
        actual: actual.into(),
        title,
    }
}

fn millis(d: std::time::Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn trial_view(t: &TrialRecord, budget: &mut usize, unshown: &mut usize) -> TrialView {
    // A known failure, and a trial that panicked, show their findings and exchanges like any
    // failure.
    let failed = matches!(
        t.outcome,
        TrialOutcome::Failed | TrialOutcome::Known(_) | TrialOutcome::Panicked
    );
    let named: Vec<usize> = t
        .findings
        .iter()
        .filter_map(|f| finding_seq(f, t))
        .collect();
    let (class, label, reason) = match &t.outcome {
        TrialOutcome::Passed => ("pass", "passed", None),
        TrialOutcome::Failed => ("fail", "FAILED", None),
        TrialOutcome::Ignored(r) => ("ign", "ignored", Some(redact::text(r))),
        TrialOutcome::Known(r) => ("known", "known failure", Some(redact::text(r))),
        TrialOutcome::Panicked => ("panic", "PANICKED", None),
    };
    let mut exchange = |ex: &Exchange, anchor: String| {
        let detail = if failed && *budget < MIN_DETAIL {
            *unshown += 1;
            None
        } else if failed {
            let d = detail(ex);
            let cost = d.cost();
            if cost <= *budget {
                *budget -= cost;
                Some(d)
            } else {
                *unshown += 1;
                None
            }
        } else {
            None
        };
        exchange_view(ex, anchor, named.contains(&ex.seq), detail)
    };
    let exchanges = t
        .exchanges
        .iter()
        .map(|ex| exchange(ex, exchange_anchor(&t.name, ex.seq)))
        .collect();
    let cleanup = t
        .released
        .iter()
        .map(|ex| exchange(ex, format!("{}-c{}", anchor(&t.name), ex.seq)))
        .collect();
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
            href: finding_seq(f, t).map(|seq| exchange_anchor(&t.name, seq)),
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
    use std::{sync::Arc, time::Duration};

    use super::*;

    #[test]
    fn a_page_of_many_large_failures_stays_under_2_mb() {
        // Bodies that are mostly characters the page must escape (each grows fivefold), on
        // every exchange of every trial: far more than the budget.
        let body = "<i>\"quoted\" & 'x'</i> ".repeat(700);
        let trials = (0..200)
            .map(|i| {
                let exchanges: Vec<Exchange> = (1..=5)
                    .map(|seq| {
                        let mut ex = Exchange::canned("listTeamTokens", "/api/v2/x", 404, &body);
                        ex.seq = seq;
                        ex
                    })
                    .collect();
                TrialRecord {
                    name: format!("area_{}::trial_{i}", i % 7),
                    outcome: TrialOutcome::Failed,
                    duration: Duration::from_millis(3),
                    message: Some("failed".into()),
                    findings: vec![Finding::new("status", &exchanges[0], "200", "404")],
                    exchanges: Arc::new(exchanges),
                    exclusive: false,
                    released: Vec::new(),
                }
            })
            .collect();
        let report = RunReport {
            trials,
            ..RunReport::default()
        };
        let html = render(&report, &Coverage::default(), &[]).expect("renders");
        assert!(html.len() < 2_000_000, "{} bytes", html.len());
        assert!(html.contains("listed without headers and bodies"));
        // The first failures still show theirs.
        assert!(html.contains("&#60;i&#62;&#34;quoted&#34;"));
        assert_eq!(html.matches("class=\"trial fail\"").count(), 200);
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(
            anchor("authz::show_team_token::owner"),
            "t-authz--show_team_token--owner"
        );
        assert_eq!(exchange_anchor("a::b", 3), "t-a--b-x3");
    }
}

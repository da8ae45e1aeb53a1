//! The page itself: its facts, notes, lists and areas, built from the run's records and
//! rendered through the template (`templates/report.html`), then written.

use std::{fs, path::Path};

use askama::Template;

use super::{
    matrix::{Matrix, matrix},
    trials::{
        BODY_CHARS, Budget, ExchangeView, TrialView, anchor, area, exchange_places, other_anchor,
        other_exchange, trial_view,
    },
};
use crate::{
    record::{
        EXIT_FAILED, EXIT_HARNESS_BUG, EXIT_INTERRUPTED, EXIT_PASSED, RunReport, TrialOutcome,
        TrialRecord,
    },
    redact,
    report::coverage::Coverage,
};

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
    /// The exploration's seed, when the run explored.
    seed: Option<u64>,
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
    /// The tour's and the housekeeping's exchanges, which belong to no trial.
    others: Vec<OtherPart>,
    coverage: CoverageView,
    /// Exchanges of failed trials listed without headers and bodies (the page's budget).
    unshown: usize,
    /// Exchanges not listed at all (the budget for lines).
    unlisted: usize,
    body_chars: usize,
}

struct FailureLink {
    name: String,
    anchor: String,
    first: String,
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

struct OtherPart {
    name: &'static str,
    says: &'static str,
    anchor: String,
    /// A finding names one of its exchanges: shown open.
    open: bool,
    total: usize,
    /// Its exchanges not listed (the budget for lines was spent).
    unlisted: usize,
    exchanges: Vec<ExchangeView>,
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
        let mut budget = Budget::for_run(report, super::matrix::linked(report));
        let mut areas: Vec<Area> = Vec::new();
        let places = exchange_places(report);
        for trial in &report.trials {
            let area_name = area(&trial.name);
            let view = trial_view(trial, &places, &mut budget);
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
        let others = [
            (
                "tour",
                "every operation once and the errors it can safely provoke, for the whole-run checks (schema::, jsonapi::)",
                &report.tour,
            ),
            (
                "housekeeping",
                "the probe before the trials, and the final cleanup and sweep after them",
                &report.housekeeping,
            ),
        ]
        .into_iter()
        .filter(|(_, _, list)| !list.is_empty())
        .map(|(name, says, list)| {
            let exchanges: Vec<ExchangeView> = list
                .iter()
                .enumerate()
                .filter_map(|(n, ex)| other_exchange(ex, other_anchor(name, n + 1), &mut budget))
                .collect();
            OtherPart {
                name,
                says,
                anchor: format!("part-{name}"),
                open: list.iter().any(|ex| budget.is_named(ex)),
                total: list.len(),
                unlisted: list.len() - exchanges.len(),
                exchanges,
            }
        })
        .collect();
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
            seed: report.seed,
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
            others,
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
            unshown: budget.unshown,
            unlisted: budget.unlisted,
            body_chars: BODY_CHARS,
        }
    }
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
    if let Some(unlisted) = &report.unlisted {
        notes.push(format!("Unlisted: {}.", redact::text(&unlisted.line())));
    }
    for leftover in &report.leftovers {
        notes.push(format!(
            "Left behind: {} (could not be deleted; remove it by hand).",
            redact::text(leftover)
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::{checks::Finding, exchange::Exchange};

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
    fn a_run_of_many_exchanges_lists_what_fits_and_every_named_one() {
        // An exploring run's thousands of passing exchanges with long generated paths, and a
        // whole-run check naming one of the last of them.
        let path = format!(
            "/api/v2/teams/team-x/authentication-tokens?q={}",
            "%C3%A9".repeat(60)
        );
        let passing: Vec<TrialRecord> = (0..400)
            .map(|i| {
                let exchanges: Vec<Exchange> = (1..=20)
                    .map(|seq| {
                        let mut ex = Exchange::canned("listTeamTokens", &path, 200, "{}");
                        ex.seq = seq;
                        ex
                    })
                    .collect();
                TrialRecord {
                    name: format!("explore_{}::trial_{i}", i % 5),
                    outcome: TrialOutcome::Passed,
                    duration: Duration::from_millis(3),
                    message: None,
                    findings: Vec::new(),
                    exchanges: Arc::new(exchanges),
                    exclusive: false,
                    released: Vec::new(),
                }
            })
            .collect();
        let named = passing[399].exchanges[19].clone();
        let mut trials = passing;
        trials.push(TrialRecord {
            name: "schema::responses".into(),
            outcome: TrialOutcome::Failed,
            duration: Duration::from_millis(3),
            message: Some("failed".into()),
            findings: vec![Finding::new("schema", &named, "a token", "{}")],
            exchanges: Arc::new(Vec::new()),
            exclusive: false,
            released: Vec::new(),
        });
        let report = RunReport {
            trials,
            ..RunReport::default()
        };
        let html = render(&report, &Coverage::default(), &[]).expect("renders");
        assert!(html.len() < 2_000_000, "{} bytes", html.len());
        assert!(html.contains("more exchange(s), not listed"));
        assert!(html.contains("exchange(s) are not listed"));
        // The named exchange is listed, where the finding's link points.
        assert!(html.contains("id=\"t-explore_4--trial_399-x20\""));
        assert!(html.contains("href=\"#t-explore_4--trial_399-x20\""));
        // The first trials' exchanges are listed.
        assert!(html.contains("id=\"t-explore_0--trial_0-x1\""));
    }

    #[test]
    fn a_long_failure_laid_out_first_leaves_the_later_findings_their_evidence() {
        // A shrunk sequence of 3,000 exchanges with large bodies fails first; a failure after
        // it names one exchange, whose headers must still be on the page.
        let body = "x".repeat(3000);
        let hog: Vec<Exchange> = (1..=3000)
            .map(|seq| {
                let mut ex = Exchange::canned("readTeamToken", "/api/v2/x", 200, &body);
                ex.seq = seq;
                ex
            })
            .collect();
        let mut later = Exchange::canned("showTeamToken", "/api/v2/y", 403, &body);
        if let Ok(r) = &mut later.outcome {
            Arc::make_mut(&mut r.headers).insert(
                "x-evidence",
                http::HeaderValue::from_static("the-later-failure"),
            );
        }
        let trial = |name: &str, exchanges: Vec<Exchange>, findings| TrialRecord {
            name: name.into(),
            outcome: TrialOutcome::Failed,
            duration: Duration::from_millis(3),
            message: Some("failed".into()),
            findings,
            exchanges: Arc::new(exchanges),
            exclusive: false,
            released: Vec::new(),
        };
        let hog_finding = Finding::new("model", &hog[2999], "a token", "another");
        let later_finding = Finding::new("status", &later, "200", "403");
        let report = RunReport {
            trials: vec![
                trial("a_sequences::long", hog, vec![hog_finding]),
                trial("b_authz::later", vec![later], vec![later_finding]),
            ],
            ..RunReport::default()
        };
        let html = render(&report, &Coverage::default(), &[]).expect("renders");
        assert!(html.len() < 2_000_000, "{} bytes", html.len());
        assert!(
            html.contains("the-later-failure"),
            "the later finding's headers"
        );
        // The long failure still shows what the budget leaves, its named exchange first.
        assert!(html.contains("listed without headers and bodies"));
        assert_eq!(html.matches("x-evidence").count(), 1);
    }
}

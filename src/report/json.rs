//! The JSON report: the run, every trial with its outcome, duration, the spec operations it
//! touched, its findings and every exchange (method, path, status, headers, body), then the
//! deletions of what it created (`cleanup`), all redacted; and the spec coverage.

use std::{collections::HashMap, fs, path::Path};

use serde_json::{Value, json};

use super::{causes::Causes, coverage::Coverage};
use crate::{
    exchange::Exchange,
    record::{RunReport, TrialOutcome, TrialRecord},
    redact,
};

pub fn render(report: &RunReport, coverage: &Coverage) -> Value {
    let count =
        |o: fn(&TrialOutcome) -> bool| report.trials.iter().filter(|t| o(&t.outcome)).count();
    let (causes, unimplemented) = Causes::of(report).to_json();
    let places = places(report);
    json!({
        "tool": "tfe-contract",
        "version": env!("CARGO_PKG_VERSION"),
        "target": redact::text(&report.target),
        "profile": report.profile.map(|p| p.name()),
        "seed": report.seed,
        "explore-budget": report.explore_budget,
        "summary": {
            "passed": count(|o| *o == TrialOutcome::Passed),
            "failed": count(|o| *o == TrialOutcome::Failed),
            "ignored": count(|o| matches!(o, TrialOutcome::Ignored(_))),
            "known-failures": count(|o| matches!(o, TrialOutcome::Known(_))),
            "panicked": count(|o| *o == TrialOutcome::Panicked),
            "exit-code": report.exit_code(),
            "interrupted": report.interrupted,
            "deadline-passed": report.deadline_passed,
            "retries": report.retries(),
        },
        "rate-limit": {
            "paced-at": report.rate.paced_at,
            "announced-limit": report.rate.announced,
            "paced-wait-seconds": report.rate.paced_wait.as_secs_f64(),
            "too-many-requests": report.rate.too_many_requests,
            "waited-out-seconds": report.rate.waited_out.as_secs_f64(),
            "requests-per-credential": report.rate.per_credential,
            "your-token-requests": report.rate.yours,
            "busiest-credential-requests": report.rate.per_credential.first().copied().unwrap_or(0),
            "floor-seconds": report.rate.floor().map(|f| f.as_secs_f64()),
        },
        "baseline": report.baseline.as_ref().map(|b| json!({
            "file": redact::text(&b.path),
            "entries": b.entries,
            "strict": b.strict,
            "fixed": b.fixed,
            "unknown": b.unknown,
        })),
        "causes": causes,
        "clients": clients(report),
        "unimplemented": unimplemented,
        "trials": report.trials.iter().map(|t| trial(t, &places)).collect::<Vec<_>>(),
        "tour": report.tour.iter().map(exchange).collect::<Vec<_>>(),
        "housekeeping": report.housekeeping.iter().map(exchange).collect::<Vec<_>>(),
        "coverage": coverage,
        "leftovers": report.leftovers.iter().map(|l| redact::text(l)).collect::<Vec<_>>(),
        "unlisted": report.unlisted.as_ref().map(|u| json!({
            "tag": u.tag,
            "kinds": u.kinds,
            "line": redact::text(&u.line()),
        })),
    })
}

/// Where each exchange of the run is kept, by id: a trial's name, `tour` or `housekeeping`.
pub(super) fn places(report: &RunReport) -> HashMap<u64, &str> {
    let mut places = HashMap::new();
    for t in &report.trials {
        for ex in t.exchanges.iter().chain(&t.released) {
            places.insert(ex.id, t.name.as_str());
        }
    }
    for ex in &report.tour {
        places.insert(ex.id, "tour");
    }
    for ex in &report.housekeeping {
        places.insert(ex.id, "housekeeping");
    }
    places
}

fn trial(t: &TrialRecord, places: &HashMap<u64, &str>) -> Value {
    let (outcome, reason) = match &t.outcome {
        TrialOutcome::Passed => ("passed", None),
        TrialOutcome::Failed => ("failed", None),
        TrialOutcome::Ignored(r) => ("ignored", Some(redact::text(r))),
        TrialOutcome::Known(r) => ("known-failure", Some(redact::text(r))),
        TrialOutcome::Panicked => ("panicked", None),
    };
    let mut operations: Vec<&str> = t.exchanges.iter().map(|e| e.operation).collect();
    operations.sort_unstable();
    operations.dedup();
    json!({
        "name": t.name,
        "outcome": outcome,
        "reason": reason,
        "duration-ms": t.duration.as_secs_f64() * 1000.0,
        "operations": operations,
        "message": t.message.as_deref().map(redact::text),
        "findings": t.findings.iter().map(|f| json!({
            "rule": f.rule,
            "exchange": f.exchange,
            "expected": f.expected,
            "actual": f.actual,
            "pointer": f.pointer,
            "source": f.source,
            "clients": f.clients.iter().map(|b| json!({
                "client": b.client,
                "location": b.location,
                "url": b.url,
                "effect": b.effect,
            })).collect::<Vec<_>>(),
            "exchange-of": f.exchange_id.and_then(|id| places.get(&id)),
            "reproduce": f.reproduce.iter().map(|l| redact::text(l)).collect::<Vec<_>>(),
            "case": f.case.as_ref().map(|c| json!({
                "description": redact::text(&c.description),
                "draw": c.path.draw,
                "moves": c.path.moves,
                "ran": c.path.ran,
            })),
        })).collect::<Vec<_>>(),
        "exchanges": t.exchanges.iter().map(exchange).collect::<Vec<_>>(),
        "cleanup": t.released.iter().map(exchange).collect::<Vec<_>>(),
    })
}

/// Each client some failure breaks, with the failed trials that break it.
fn clients(report: &RunReport) -> Value {
    let mut by_client: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for t in report.failed() {
        let mut named: Vec<&str> = t
            .findings
            .iter()
            .flat_map(|f| f.clients.iter().map(|b| b.client))
            .collect();
        named.sort_unstable();
        named.dedup();
        for client in named {
            by_client.entry(client).or_default().push(&t.name);
        }
    }
    json!(by_client)
}

/// Headers as shown in every report: credentials never, the rest redacted.
pub(super) fn headers(map: &http::HeaderMap) -> Value {
    let mut out = serde_json::Map::new();
    for (name, value) in map {
        let shown = redact::header(name.as_str(), value.as_bytes());
        match out.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&shown);
            }
            _ => {
                out.insert(name.as_str().to_string(), Value::String(shown));
            }
        }
    }
    Value::Object(out)
}

/// A body as JSON where it is JSON, else as (redacted) text.
pub(super) fn body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => redact::json(&v),
        Err(_) => Value::String(redact::excerpt(bytes, 2000)),
    }
}

fn exchange(ex: &Exchange) -> Value {
    let response = match &ex.outcome {
        Ok(r) => json!({"status": r.status, "headers": headers(&r.headers), "body": body(&r.body),
            "body-bytes": r.full_len.unwrap_or(r.body.len())}),
        Err(e) => json!({"error": redact::text(&e.message)}),
    };
    json!({
        "seq": ex.seq,
        "step": redact::text(&ex.step),
        "operation": ex.operation,
        "request": {
            "method": ex.request.method.as_str(),
            "path": redact::text(&ex.request.path),
            "headers": headers(&ex.request.headers),
            "body": ex.request.body.as_deref().map_or(Value::Null, body),
        },
        "response": response,
        "duration-ms": ex.elapsed.as_secs_f64() * 1000.0,
        "retries": ex.retries,
    })
}

pub fn write(path: &Path, report: &RunReport, coverage: &Coverage) -> Result<(), String> {
    let text =
        serde_json::to_string_pretty(&render(report, coverage)).map_err(|e| e.to_string())?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    fs::write(path, redact::text(&text)).map_err(|e| e.to_string())
}

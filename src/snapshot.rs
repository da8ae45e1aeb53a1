//! Snapshots: a trial's exchanges in normalized form (method, path template, status, media
//! type, body with volatile values replaced by `redact::Normalizer`), compared with insta
//! against `<dir>/<area>__<check>.snap`. A mismatch or a missing snapshot becomes a finding
//! with a unified diff; insta writes `.snap.new` for `cargo insta review` (or nothing with
//! `CI=true`), or accepts the new form with `--update-snapshots`.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    path::Path,
};

use serde_json::Value;

use crate::{
    checks::Finding,
    config::SnapshotConfig,
    exchange::Exchange,
    redact::{self, Normalizer},
    spec::Spec,
};

/// Environment insta reads once per process; set before any snapshot is taken.
pub fn insta_environment(update: bool, ci: bool) -> Vec<(&'static str, &'static str)> {
    let mode = if update {
        "always"
    } else if ci {
        "no"
    } else {
        "new"
    };
    vec![
        ("INSTA_UPDATE", mode),
        // The harness prints its own diff inside the trial's message.
        ("INSTA_OUTPUT", "none"),
        ("INSTA_FORCE_PASS", "0"),
    ]
}

/// The file name stem of a trial's snapshot.
pub fn snapshot_name(trial: &str) -> String {
    trial.replace("::", "__")
}

/// The normalized form of `exchanges`, as stored in the snapshot: for each exchange its step,
/// the request (method, path template, query), the status and media type, and the body
/// (pretty JSON with sorted keys, volatile values replaced).
///
/// ```text
/// #1 "first create"
/// POST /organizations/{organization_name}/authentication-token
/// -> 201 application/vnd.api+json
/// { ... }
/// ```
pub fn render(organization: &str, generated: &[String], exchanges: &[Exchange]) -> String {
    let mut normalizer = Normalizer::new(organization, generated);
    let mut out = String::new();
    for ex in exchanges {
        let query = ex
            .request
            .path
            .split_once('?')
            .map(|(_, q)| format!("?{}", normalizer.string(q)))
            .unwrap_or_default();
        out.push_str(&format!(
            "#{} {:?}\n{} {}{}\n",
            ex.seq,
            normalizer.string(&ex.step),
            ex.request.method,
            ex.template,
            query
        ));
        match &ex.outcome {
            Ok(r) => {
                let media = r.media_type().unwrap_or_else(|| "(no content type)".into());
                out.push_str(&format!("-> {} {media}\n", r.status));
                if !r.body.is_empty() {
                    let sorted = ex.request.path.contains("sort=");
                    let body = match r.json() {
                        Some(v) => {
                            let contract = contract_view(ex, r.status, v);
                            let own = own_items(&normalizer, contract, sorted);
                            serde_json::to_string_pretty(&normalizer.value(&own))
                                .unwrap_or_default()
                        }
                        None => format!("[{} bytes, not JSON]", r.body.len()),
                    };
                    out.push_str(&body);
                    out.push('\n');
                }
            }
            Err(e) => out.push_str(&format!("-> no response ({:?})\n", e.kind)),
        }
        out.push('\n');
    }
    // Belt and braces: nothing registered as a secret survives into a snapshot file.
    redact::text(out.trim_end())
}

/// What the contract says of a body, so that servers that differ only where it lets them
/// (ref §2, §6) record the same snapshot: only the members the spec's schema for this
/// operation and status declares (no extra attributes, links or meta), and of each error only
/// its status, as a string (the rest of an error object is the server's own wording, and a
/// number is as good as a string). An undocumented status keeps the whole body.
fn contract_view(ex: &Exchange, status: u16, body: &Value) -> Value {
    let schema = Spec::get()
        .operation(ex.operation)
        .and_then(|op| op.responses.get(&status))
        .and_then(|r| r.schema.as_deref());
    let mut doc = match schema {
        Some(name) => Spec::get().declared(name, body),
        None => body.clone(),
    };
    if let Some(errors) = doc.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors.iter_mut() {
            let status = match error.get("status") {
                Some(Value::String(s)) => Value::String(s.clone()),
                Some(Value::Number(n)) => Value::String(n.to_string()),
                Some(other) => other.clone(),
                None => Value::Null,
            };
            *error = serde_json::json!({ "status": status });
        }
    }
    doc
}

/// A list as the trial knows it: only the items whose ids the trial saw before (created or
/// read). Other items belong to other trials running at the same time, or to whoever else uses
/// the account, and differ from run to run and from server to server; so do the list's counts
/// then, which become `[count]`. Unless the request asked for an order (`sort`), items go in
/// the order the trial first saw them: a server may list them in any order.
fn own_items(normalizer: &Normalizer, mut doc: Value, sorted: bool) -> Value {
    let mut others = false;
    if let Some(items) = doc.get_mut("data").and_then(Value::as_array_mut) {
        let all = items.len();
        items.retain(|item| id_of(item).is_some_and(|id| normalizer.knows(id)));
        others = items.len() < all;
        if !sorted {
            items.sort_by_key(|item| id_of(item).and_then(|id| normalizer.seen_at(id)));
        }
    }
    if others
        && let Some(pagination) = doc
            .pointer_mut("/meta/pagination")
            .and_then(Value::as_object_mut)
    {
        for value in pagination.values_mut() {
            if value.is_number() {
                *value = Value::String("[count]".into());
            }
        }
    }
    doc
}

fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

/// Compares the trial's exchanges with its snapshot; `Some` describes a mismatch.
pub fn check(
    config: &SnapshotConfig,
    trial: &str,
    organization: &str,
    generated: &[String],
    exchanges: &[Exchange],
) -> Option<Finding> {
    let content = render(organization, generated, exchanges);
    let name = snapshot_name(trial);
    let dir = std::path::absolute(&config.dir).unwrap_or_else(|_| config.dir.clone());
    let path = dir.join(format!("{name}.snap"));
    let old = read_snapshot(&path);

    let mut settings = insta::Settings::new();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(trial);
    let outcome = settings.bind(|| {
        catch_unwind(AssertUnwindSafe(|| {
            insta::assert_snapshot!(name.as_str(), content.as_str());
        }))
    });
    if outcome.is_ok() || config.update {
        return None;
    }
    let review = "review with `cargo insta review --workspace-root <dir>`, or record with --update-snapshots";
    match old {
        None => Some(Finding::general(
            "snapshot",
            format!("a recorded snapshot {}", path.display()),
            format!("none; record it with --update-snapshots (or {review})"),
        )),
        Some(old) => Some(Finding::general(
            "snapshot",
            format!("the exchanges recorded in {}", path.display()),
            format!("a difference; {review}:\n{}", diff(&old, &content)),
        )),
    }
}

/// The content of a `.snap` file (what follows its metadata header).
fn read_snapshot(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let body = match text.strip_prefix("---\n") {
        Some(rest) => rest.split_once("\n---\n").map_or(rest, |(_, b)| b),
        None => &text,
    };
    Some(body.trim_end().to_string())
}

fn diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("recorded", "now")
        .to_string()
}

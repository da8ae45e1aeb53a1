//! Causes, not just trials: the findings of the failed trials grouped by kind, operation and
//! status, with the trials each group explains; the operations that look unimplemented, with the
//! trials that failed only because of them; and, when those are exactly what a narrower profile
//! leaves out, that profile.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::{
    config::Profile,
    exchange::Exchange,
    record::{RunReport, TrialOutcome},
    spec::Spec,
};

/// One group of findings: a kind of finding on one operation with one status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    pub kind: String,
    /// None: findings about a trial as a whole (a snapshot, a whole-run rule).
    pub operation: Option<String>,
    /// None: no answer (or a finding not about one exchange).
    pub status: Option<u16>,
    /// The failed trials with a finding in this group, in the suite's order.
    pub trials: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Causes {
    /// Largest first; findings on unimplemented operations are not among them.
    pub groups: Vec<Cause>,
    /// Operations every call of which was answered 404 or 405 without a JSON:API document, or
    /// 501 (spec order).
    pub unimplemented: Vec<String>,
    /// Failed trials whose every finding is on an unimplemented operation.
    pub only_unimplemented: Vec<String>,
    /// A narrower profile that leaves out exactly the unimplemented operations (of those the
    /// run called).
    pub fitting_profile: Option<Profile>,
}

impl Causes {
    /// The causes of the trials that fail the run (known failures of a baseline are left out:
    /// they are accounted for).
    pub fn of(report: &RunReport) -> Self {
        let spec = Spec::get();
        let unimplemented = unimplemented(spec, report.exchanges());
        let missing: BTreeSet<&str> = unimplemented.iter().map(String::as_str).collect();
        let mut groups: BTreeMap<(String, Option<String>, Option<u16>), Vec<String>> =
            BTreeMap::new();
        let mut only_unimplemented = Vec::new();
        for trial in report.trials.iter() {
            if trial.outcome != TrialOutcome::Failed || trial.findings.is_empty() {
                continue;
            }
            let on_missing =
                |f: &crate::checks::Finding| f.operation.is_some_and(|op| missing.contains(op));
            if trial.findings.iter().all(on_missing) {
                only_unimplemented.push(trial.name.clone());
                continue;
            }
            let mut keys: BTreeSet<(String, Option<String>, Option<u16>)> = BTreeSet::new();
            for f in trial.findings.iter().filter(|f| !on_missing(f)) {
                keys.insert((f.rule.to_string(), f.operation.map(String::from), f.status));
            }
            for key in keys {
                groups.entry(key).or_default().push(trial.name.clone());
            }
        }
        let mut groups: Vec<Cause> = groups
            .into_iter()
            .map(|((kind, operation, status), trials)| Cause {
                kind,
                operation,
                status,
                trials,
            })
            .collect();
        // Largest first; ties in a stable order (kind, operation, status).
        groups.sort_by_key(|g| std::cmp::Reverse(g.trials.len()));
        let fitting_profile = report
            .profile
            .and_then(|p| fitting_profile(spec, p, &unimplemented, report.exchanges()));
        Self {
            groups,
            unimplemented,
            only_unimplemented,
            fitting_profile,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.unimplemented.is_empty()
    }

    /// The section printed after the libtest summary: the largest groups (at most `limit`),
    /// then the unimplemented operations and the profile that fits.
    pub fn render(&self, limit: usize) -> String {
        let mut out = String::new();
        if !self.groups.is_empty() {
            let width = self.groups.iter().map(|g| g.kind.len()).max().unwrap_or(0);
            out.push_str(
                "causes: findings of the failed trials by kind, operation and status, with the number of trials each explains\n",
            );
            for group in self.groups.iter().take(limit) {
                let operation = group
                    .operation
                    .as_deref()
                    .unwrap_or("(the trial as a whole)");
                let status = match (&group.operation, group.status) {
                    (_, Some(s)) => format!(" -> {s}"),
                    (Some(_), None) => " -> no answer".to_string(),
                    (None, None) => String::new(),
                };
                out.push_str(&format!(
                    "  {:>4}  {:<width$}  {operation}{status}\n",
                    group.trials.len(),
                    group.kind
                ));
            }
            if self.groups.len() > limit {
                out.push_str(&format!(
                    "  ... and {} smaller group(s) (all of them: --report-json, `causes`)\n",
                    self.groups.len() - limit
                ));
            }
        }
        if !self.unimplemented.is_empty() {
            out.push_str(&format!(
                "unimplemented: {} (every call answered 404 or 405 without a JSON:API document, or 501); {} failed trial(s) failed only because of them\n",
                self.unimplemented.join(", "),
                self.only_unimplemented.len()
            ));
        }
        if let Some(profile) = self.fitting_profile {
            out.push_str(&format!(
                "these are the operations --profile {profile} leaves out: if the server is not meant to have them, run with --profile {profile}\n"
            ));
        }
        out
    }

    /// `causes` and `unimplemented` in the JSON report.
    pub fn to_json(&self) -> (Value, Value) {
        let causes = self
            .groups
            .iter()
            .map(|g| {
                json!({
                    "kind": g.kind,
                    "operation": g.operation,
                    "status": g.status,
                    "trials": g.trials,
                })
            })
            .collect::<Vec<_>>();
        (json!(causes), json!(self.unimplemented))
    }
}

/// Whether an answer says "no such route" rather than "no such thing": 501, or 404/405 with a
/// body that is not a JSON:API document (TFE answers a missing resource with an error
/// document; a router without the route answers with plain text or nothing). None for an
/// answer that says nothing of the route: no answer, or a refusal a server may give before it
/// routes a request (401 and 403 for the credential, 415 for the media type, 429 for the
/// rate limit).
fn says_no_route(ex: &Exchange) -> Option<bool> {
    let response = ex.response()?;
    Some(match response.status {
        401 | 403 | 415 | 429 => return None,
        501 => true,
        404 | 405 => !response.json().is_some_and(|doc| {
            doc.as_object().is_some_and(|o| {
                o.contains_key("data") || o.contains_key("errors") || o.contains_key("meta")
            })
        }),
        _ => false,
    })
}

/// Operations (spec order) that were called, answered, and every answer of which says there is
/// no such route.
fn unimplemented<'a>(spec: &Spec, exchanges: impl Iterator<Item = &'a Exchange>) -> Vec<String> {
    let mut verdict: BTreeMap<&str, bool> = BTreeMap::new();
    for ex in exchanges {
        if let Some(no_route) = says_no_route(ex) {
            let all = verdict.entry(ex.operation).or_insert(true);
            *all &= no_route;
        }
    }
    spec.operations()
        .iter()
        .filter(|op| verdict.get(op.id.as_str()) == Some(&true))
        .map(|op| op.id.clone())
        .collect()
}

/// The widest profile narrower than `profile` whose API lacks every unimplemented operation and
/// has every other operation the run called.
fn fitting_profile<'a>(
    spec: &Spec,
    profile: Profile,
    unimplemented: &[String],
    exchanges: impl Iterator<Item = &'a Exchange>,
) -> Option<Profile> {
    if unimplemented.is_empty() {
        return None;
    }
    let called: BTreeSet<&str> = exchanges
        .filter(|e| e.response().is_some())
        .map(|e| e.operation)
        .collect();
    let ops_of = |p: Profile| -> BTreeSet<&str> {
        spec.operations()
            .iter()
            .filter(|op| op.in_profile(p.name()))
            .map(|op| op.id.as_str())
            .collect()
    };
    let current = ops_of(profile);
    let mut candidates: Vec<(usize, Profile)> = Profile::ALL
        .into_iter()
        .filter(|p| *p != profile)
        .filter_map(|p| {
            let ops = ops_of(p);
            if !ops.is_subset(&current) || ops == current {
                return None;
            }
            let left_out: BTreeSet<&str> = current.difference(&ops).copied().collect();
            let missing: BTreeSet<&str> = unimplemented.iter().map(String::as_str).collect();
            let called_left_out: BTreeSet<&str> = left_out.intersection(&called).copied().collect();
            (missing == called_left_out).then_some((ops.len(), p))
        })
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates.first().map(|(_, p)| *p)
}

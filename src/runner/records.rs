//! The run's records, filled in once the trials and the cleanup are over: the trials in the
//! suite's order, the tour and housekeeping exchanges, what the baseline came to, the pacing,
//! the secrets the target minted, and what the reports need to know of the suite (the
//! authorization matrix, the entitlements a trial may fail for want of).

use std::collections::{HashMap, HashSet};

use libtest_mimic::Conclusion;

use crate::{
    baseline::Baseline,
    client::Halt,
    config::{BaselineConfig, RunConfig},
    exchange::Exchange,
    pacing::{Pace, Pacer},
    record::{
        AuthzMatrix, BaselineReview, EntitlementNote, MatrixCell, MatrixRow, Minted, RateSummary,
        RunReport, TrialOutcome, TrialRecord, Unlisted,
    },
    suite::{
        self, CheckDef, RunContext,
        authz::{self, Persona},
    },
};

/// What the runner hands the records.
pub(super) struct Ended {
    pub conclusion: Conclusion,
    pub trials: Vec<TrialRecord>,
    pub leftovers: Vec<String>,
    pub target: String,
}

pub(super) fn records(
    config: &RunConfig,
    checks: &[CheckDef],
    ctx: &RunContext,
    baseline: Option<&Baseline>,
    ended: Ended,
) -> RunReport {
    let Ended {
        conclusion,
        trials,
        leftovers,
        target,
    } = ended;
    let halted = ctx.transport.halted();
    let mut trials = trials;
    let order: HashMap<&str, usize> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name, i))
        .collect();
    trials.sort_by_cached_key(|t| order.get(t.name.as_str()).copied());
    let tour: Vec<Exchange> = ctx.tour.get().map(|t| t.to_vec()).unwrap_or_default();
    let housekeeping = ctx.housekeeping_exchanges();
    let minted = std::mem::take(
        &mut *ctx
            .transport
            .minted
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    );
    RunReport {
        baseline: config
            .baseline
            .as_ref()
            .zip(baseline)
            .map(|(asked, baseline)| review_baseline(asked, baseline, checks, &trials)),
        trials,
        leftovers,
        unlisted: Some(ctx.unlisted())
            .filter(|kinds| !kinds.is_empty())
            .map(|kinds| Unlisted {
                tag: ctx.run_tag.clone(),
                kinds,
            }),
        listed_only: false,
        libtest_failed: conclusion.has_failed(),
        interrupted: halted == Some(Halt::Interrupted),
        deadline_passed: halted == Some(Halt::DeadlinePassed),
        target,
        profile: Some(config.profile),
        tour,
        housekeeping,
        destructive_allowed: ctx.destructive_allowed,
        rate: rate_summary(&ctx.transport.pacer, &ctx.owner),
        minted: Minted(minted),
        seed: (ctx.exploration.budget > 0).then_some(ctx.exploration.seed),
        explore_budget: (ctx.exploration.budget > 0).then_some(ctx.exploration.budget),
        matrix: authz_matrix(),
        entitlements: entitlements(),
    }
}

/// The suite's authorization matrix, as data the reports can draw without the suite.
pub(super) fn authz_matrix() -> AuthzMatrix {
    let rows = authz::rows()
        .map(|row| MatrixRow {
            name: row.name.to_string(),
            operation: row.operation.to_string(),
            source: row.source.to_string(),
            cells: Persona::ALL
                .iter()
                .map(|persona| {
                    let expect = row.expect(*persona);
                    MatrixCell {
                        persona: persona.name().to_string(),
                        trial: row.trial(*persona),
                        expected: expect.describe(),
                        expected_short: expect.short(),
                        acting_step: row.acting_step(*persona),
                    }
                })
                .collect(),
            leak_trial: row.leak_trial(),
        })
        .collect();
    AuthzMatrix {
        personas: Persona::ALL.iter().map(|p| p.name().to_string()).collect(),
        rows,
    }
}

/// The entitlements a trial may fail for want of, with what the summary says of each.
fn entitlements() -> Vec<EntitlementNote> {
    suite::families()
        .iter()
        .filter_map(|family| family.entitlement)
        .map(|entitlement| EntitlementNote {
            rule: entitlement.rule.to_string(),
            says: entitlement.summary.to_string(),
        })
        .collect()
}

/// Which baseline entries the run shows fixed, and which name no trial at all.
fn review_baseline(
    config: &BaselineConfig,
    baseline: &Baseline,
    checks: &[CheckDef],
    trials: &[TrialRecord],
) -> BaselineReview {
    let outcome: HashMap<&str, &TrialOutcome> = trials
        .iter()
        .map(|t| (t.name.as_str(), &t.outcome))
        .collect();
    let names: HashSet<&str> = checks.iter().map(|c| c.name).collect();
    let entries = &baseline.known;
    BaselineReview {
        path: config.path.display().to_string(),
        entries: entries.len(),
        fixed: entries
            .keys()
            .filter(|name| outcome.get(name.as_str()) == Some(&&TrialOutcome::Passed))
            .cloned()
            .collect(),
        unknown: entries
            .keys()
            .filter(|name| !names.contains(name.as_str()))
            .cloned()
            .collect(),
        strict: config.strict,
    }
}

/// How the run kept to the target's rate limit.
fn rate_summary(pacer: &Pacer, owner: &crate::redact::Secret) -> RateSummary {
    let pace = pacer.pace();
    let (too_many_requests, waited_out) = pacer.too_many_requests();
    // The key the client paces the caller's token by: its Authorization value.
    let (per_credential, yours) = pacer.sent(format!("Bearer {}", owner.expose()).as_bytes());
    RateSummary {
        paced_at: pace.rate(),
        announced: match pace {
            Pace::Announced(limit) => Some(limit),
            _ => None,
        },
        paced_wait: pacer.waited(),
        too_many_requests,
        waited_out,
        per_credential,
        yours,
    }
}

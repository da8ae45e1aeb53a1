//! The text summary on stderr at the end of a run: spec coverage, pacing, what was not
//! checked, and what was left behind (redacted).

use super::{causes::Causes, coverage::Coverage};

/// How many groups of findings the summary shows (the JSON report has them all).
const CAUSES_SHOWN: usize = 12;
use crate::{
    record::{EXIT_HARNESS_BUG, RunReport, TrialOutcome},
    redact,
};

/// Prints the summary of a finished run.
pub fn print(report: &RunReport) {
    eprint!("tfe-contract: {}", Coverage::of(report).render());
    if let Some(seed) = report.seed {
        eprintln!(
            "tfe-contract: exploration drew its cases from seed {seed} (--seed {seed} draws them again)"
        );
    }
    let rate = &report.rate;
    if let Some(pace) = rate.paced_at {
        let why = match rate.announced {
            Some(limit) => format!("95% of the X-RateLimit-Limit of {limit}"),
            None => "--max-rate".to_string(),
        };
        eprintln!(
            "tfe-contract: paced at {pace:.1} requests/s per token ({why}); requests waited {:.1} s for their turn",
            rate.paced_wait.as_secs_f64()
        );
    }
    if let Some(line) = per_credential_line(rate) {
        eprintln!("tfe-contract: {line}");
    }
    let retries = report.retries();
    if rate.too_many_requests > 0 || retries > 0 {
        eprintln!(
            "tfe-contract: {} answer(s) were 429 Too Many Requests; the run waited {:.1} s for them and retried {retries} request(s)",
            rate.too_many_requests,
            rate.waited_out.as_secs_f64()
        );
    }
    if report.deadline_passed {
        eprintln!(
            "tfe-contract: the run reached its deadline (--deadline); the requests still to come were not sent"
        );
    }
    let skipped_destructive = report
        .trials
        .iter()
        .filter(|t| matches!(&t.outcome, TrialOutcome::Ignored(r) if r.starts_with("destructive")))
        .count();
    if skipped_destructive > 0 && !report.destructive_allowed {
        eprintln!(
            "tfe-contract: not checked: {skipped_destructive} destructive trial(s) (rotating or deleting the organization, owners-team or audit-trails token); pass --allow-destructive to run them against this target"
        );
    }
    if let Some(review) = &report.baseline {
        let known = report.known().count();
        let path = redact::text(&review.path);
        eprintln!(
            "tfe-contract: baseline {path}: {known} known failure(s) of {} entr{} did not fail the run",
            review.entries,
            if review.entries == 1 { "y" } else { "ies" }
        );
        let strict = if review.strict {
            " (--strict-baseline: this fails the run)"
        } else {
            ""
        };
        for name in &review.fixed {
            eprintln!(
                "tfe-contract: fixed: {name} passes now; remove it from the baseline{strict}"
            );
        }
        for name in &review.unknown {
            eprintln!(
                "tfe-contract: the baseline names no trial {}: remove or rename the entry{strict}",
                redact::text(name)
            );
        }
    }
    let panicked: Vec<&str> = report.panicked().map(|t| t.name.as_str()).collect();
    if !panicked.is_empty() {
        eprintln!(
            "tfe-contract: {} trial(s) panicked: a bug of the harness, not of the server (please report it); the run has no verdict to trust and exits {EXIT_HARNESS_BUG}",
            panicked.len()
        );
        for name in panicked {
            eprintln!("tfe-contract: panicked: {name}");
        }
    }
    if report.unexplained_failure() {
        eprintln!(
            "tfe-contract: a trial failed without a record of why (it was not scheduled, or ended without a verdict): a bug of the harness, not of the server (please report it); the run exits {EXIT_HARNESS_BUG}"
        );
    }
    let causes = Causes::of(report);
    if !causes.is_empty() {
        for line in causes.render(CAUSES_SHOWN).lines() {
            eprintln!("tfe-contract: {}", redact::text(line));
        }
    }
    for line in report.entitlement_lines() {
        eprintln!("tfe-contract: {line}");
    }
    if let Some(unlisted) = &report.unlisted {
        eprintln!("tfe-contract: {}", redact::text(&unlisted.line()));
    }
    for leftover in &report.leftovers {
        // What was left holds ids and names the server chose: redacted like everything shown.
        eprintln!(
            "tfe-contract: left behind: {} (could not be deleted; remove it by hand)",
            redact::text(leftover)
        );
    }
}

/// The requests each credential sent, the busiest first, and the floor they set under a
/// per-credential limit; `None` for a run that sent nothing.
pub fn per_credential_line(rate: &crate::record::RateSummary) -> Option<String> {
    let busiest = *rate.per_credential.first()?;
    let total: u64 = rate.per_credential.iter().sum();
    let next: Vec<String> = rate
        .per_credential
        .iter()
        .skip(1)
        .take(3)
        .map(u64::to_string)
        .collect();
    let whose = if rate.yours == busiest {
        "your token"
    } else {
        "a token the run made"
    };
    let mut line = format!(
        "requests per credential: busiest {busiest} ({whose}), then {}; your token {}; {} credentials, {total} requests",
        if next.is_empty() {
            "none".to_string()
        } else {
            next.join(", ")
        },
        rate.yours,
        rate.per_credential.len(),
    );
    if let (Some(floor), Some(per_second)) = (rate.floor(), rate.announced.or(rate.paced_at)) {
        line.push_str(&format!(
            "; at {per_second:.0} requests/s per credential no run can take less than {:.1} s",
            floor.as_secs_f64()
        ));
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RateSummary;

    #[test]
    fn the_busiest_credential_and_the_floor_it_sets() {
        let rate = RateSummary {
            announced: Some(30.0),
            paced_at: Some(28.5),
            per_credential: vec![600, 40, 12, 3, 1],
            yours: 600,
            ..RateSummary::default()
        };
        assert_eq!(
            per_credential_line(&rate).as_deref(),
            Some(
                "requests per credential: busiest 600 (your token), then 40, 12, 3; your token 600; 5 credentials, 656 requests; at 30 requests/s per credential no run can take less than 20.0 s"
            )
        );
        let unpaced = RateSummary {
            per_credential: vec![10, 9],
            yours: 9,
            ..RateSummary::default()
        };
        let line = per_credential_line(&unpaced).expect("a line");
        assert!(
            line.contains("(a token the run made)") && !line.contains("no run can"),
            "{line}"
        );
        assert_eq!(per_credential_line(&RateSummary::default()), None);
    }
}

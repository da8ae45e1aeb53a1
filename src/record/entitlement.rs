//! Notes on entitlements the target lacks: trials that fail because the organization cannot
//! have what they need (agent pools, an audit-trails token) say so with a finding of a rule of
//! their own, and the summary prints one line for each such rule. The runner copies the rules
//! and their lines from the suite.

use super::RunReport;

/// One entitlement a trial may fail for want of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitlementNote {
    /// The rule of the finding such a trial fails with.
    pub rule: String,
    /// What the summary says when some trials did, `{count}` standing for how many.
    pub says: String,
}

impl RunReport {
    /// The lines to print for the entitlements some trial failed for want of, each with the
    /// number of such trials.
    pub fn entitlement_lines(&self) -> Vec<String> {
        self.entitlements
            .iter()
            .filter_map(|note| {
                let count = self
                    .trials
                    .iter()
                    .filter(|t| t.findings.iter().any(|f| f.rule == note.rule))
                    .count();
                (count > 0).then(|| note.says.replace("{count}", &count.to_string()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::{
        checks::Finding,
        record::{TrialOutcome, TrialRecord},
    };

    #[test]
    fn a_note_is_printed_with_its_count_only_when_some_trial_needs_it() {
        let trial = |name: &str, rule: &'static str| TrialRecord {
            name: name.into(),
            outcome: TrialOutcome::Failed,
            duration: Duration::ZERO,
            message: None,
            findings: vec![Finding::general(rule, "x", "y")],
            exchanges: Arc::default(),
            exclusive: false,
            released: Vec::new(),
        };
        let note = |rule: &str, says: &str| EntitlementNote {
            rule: rule.into(),
            says: says.into(),
        };
        let report = RunReport {
            trials: vec![trial("a::one", "pool"), trial("a::two", "pool")],
            entitlements: vec![
                note("pool", "{count} trial(s) without a pool at /x/{org}"),
                note("trail", "{count} without a trail"),
            ],
            ..RunReport::default()
        };
        assert_eq!(
            report.entitlement_lines(),
            ["2 trial(s) without a pool at /x/{org}"]
        );
    }
}

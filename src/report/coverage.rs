//! Spec coverage: which operation × documented status pairs the run's exchanges exercised,
//! which they did not, and which statuses came back that the spec does not document.

use std::collections::{BTreeMap, BTreeSet};

use crate::{exchange::Exchange, record::RunReport, spec::Spec};

#[derive(Clone, Debug, serde::Serialize)]
pub struct OperationCoverage {
    pub operation: String,
    pub method: String,
    pub path: String,
    /// Every documented status, and whether an exchange got it.
    pub statuses: Vec<StatusCoverage>,
    /// Statuses seen that the spec does not document for the operation.
    pub undocumented: Vec<u16>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusCoverage {
    pub status: u16,
    pub exercised: bool,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Coverage {
    pub operations: Vec<OperationCoverage>,
}

impl Coverage {
    /// The coverage of every exchange of a finished run.
    pub fn of(report: &RunReport) -> Self {
        Self::compute(Spec::get(), report.exchanges())
    }

    pub fn compute<'a>(spec: &Spec, exchanges: impl IntoIterator<Item = &'a Exchange>) -> Self {
        let mut seen: BTreeMap<&str, BTreeSet<u16>> = BTreeMap::new();
        for ex in exchanges {
            if let Some(status) = ex.status() {
                seen.entry(ex.operation).or_default().insert(status);
            }
        }
        let operations = spec
            .operations()
            .iter()
            .map(|op| {
                let got = seen.get(op.id.as_str());
                OperationCoverage {
                    operation: op.id.clone(),
                    method: op.method.to_string(),
                    path: op.path.clone(),
                    // Any operation may answer 429 (ref §6), but nothing sets out to make it:
                    // it counts only where it happened.
                    statuses: op
                        .responses
                        .keys()
                        .filter(|s| **s != 429 || got.is_some_and(|g| g.contains(s)))
                        .map(|status| StatusCoverage {
                            status: *status,
                            exercised: got.is_some_and(|g| g.contains(status)),
                        })
                        .collect(),
                    undocumented: got
                        .map(|g| {
                            g.iter()
                                .filter(|s| !op.responses.contains_key(s))
                                .copied()
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        Self { operations }
    }

    /// (exercised, documented) pairs.
    pub fn counts(&self) -> (usize, usize) {
        let all = self.operations.iter().flat_map(|o| &o.statuses);
        let documented = all.clone().count();
        (all.filter(|s| s.exercised).count(), documented)
    }

    /// A table for people: one line per operation, each documented status shown as exercised
    /// (`201`) or not (`-400`), then what came back undocumented.
    pub fn render(&self) -> String {
        let (exercised, documented) = self.counts();
        let mut out = format!(
            "spec coverage: {exercised} of {documented} documented operation x status pairs exercised (-N: not exercised, !N: undocumented status seen)\n"
        );
        let width = self
            .operations
            .iter()
            .map(|o| o.operation.len())
            .max()
            .unwrap_or(0);
        for op in &self.operations {
            let mut cells: Vec<String> = op
                .statuses
                .iter()
                .map(|s| {
                    if s.exercised {
                        s.status.to_string()
                    } else {
                        format!("-{}", s.status)
                    }
                })
                .collect();
            cells.extend(op.undocumented.iter().map(|s| format!("!{s}")));
            out.push_str(&format!(
                "  {:<width$}  {:<6} {}  {}\n",
                op.operation,
                op.method,
                cells.join(" "),
                op.path
            ));
        }
        out
    }
}

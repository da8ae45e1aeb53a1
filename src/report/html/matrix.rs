//! The authorization matrix as a grid: each row's cells drawn from the matrix the run's
//! records carry, and filled from the outcome and the acting exchange of each cell's trial.

use super::trials::{anchor, area, exchange_anchor};
use crate::{
    record::{MatrixCell, MatrixRow, RunReport, TrialOutcome},
    redact,
};

pub(super) struct Matrix {
    pub(super) personas: Vec<String>,
    pub(super) rows: Vec<MatrixRowView>,
}

pub(super) struct MatrixRowView {
    pub(super) name: String,
    pub(super) operation: String,
    pub(super) source: String,
    pub(super) cells: Vec<Cell>,
    pub(super) leak: Cell,
}

pub(super) struct Cell {
    /// The trial's name.
    pub(super) trial: String,
    /// `pass`, `fail`, `ign` or `na`.
    pub(super) class: &'static str,
    pub(super) expected: String,
    pub(super) actual: String,
    pub(super) href: Option<String>,
    pub(super) title: String,
}

pub(super) fn matrix(report: &RunReport) -> Option<Matrix> {
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

/// The exchanges the matrix's cells link to: the acting exchange of each cell's trial.
pub(super) fn linked(report: &RunReport) -> impl Iterator<Item = u64> + '_ {
    report.matrix.rows.iter().flat_map(move |row| {
        row.cells.iter().filter_map(move |c| {
            let trial = report.trial(&c.trial)?;
            trial
                .exchanges
                .iter()
                .find(|e| e.step == c.acting_step)
                .map(|e| e.id)
        })
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

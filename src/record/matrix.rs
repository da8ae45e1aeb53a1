//! The authorization matrix as the run's records carry it: for each row (an operation), where
//! its expectations come from and, for each persona, what it must get and the step under which
//! its trial records the request. The runner copies it from the suite; the HTML report draws
//! its grid from it and fills the cells from the trials' records.

/// Every row of the matrix, with its personas in column order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthzMatrix {
    /// The personas' names, in column order.
    pub personas: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

/// One operation, tried by every persona.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    /// The middle part of its trials' names.
    pub name: String,
    /// The spec's operationId.
    pub operation: String,
    /// Where its expectations come from.
    pub source: String,
    /// One per persona, in column order.
    pub cells: Vec<MatrixCell>,
    /// The trial that checks that "exists but forbidden" answers like "does not exist".
    pub leak_trial: String,
}

/// One persona on one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixCell {
    pub persona: String,
    /// The trial of this persona on this row.
    pub trial: String,
    /// What the persona must get, in words.
    pub expected: String,
    /// The same in a few characters, for the grid.
    pub expected_short: String,
    /// The step under which the trial records the request the row is about (its other
    /// exchanges prepare the target and the persona).
    pub acting_step: String,
}

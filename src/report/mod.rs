//! Reports rendered from a finished run's records, never from inside a trial.

pub mod junit;

//! The harness's own tests, in one test binary: it passes against the reference server, fails
//! naming exactly the right trials against every fault, passes every allowed quirk, keeps its
//! command-line contract, and never lets a secret out.

mod baseline;
mod causes;
mod cli;
mod entitlement;
mod exploration;
mod faults;
mod flow;
mod har;
mod hostile;
mod html;
mod panics;
mod rate;
mod reference;
mod reports;
mod reproduce;
mod safety;
mod secrets;
mod snapshots;
mod source;
mod support;
mod trips;

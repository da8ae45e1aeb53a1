//! `run --list`: the trials a profile runs against a target, without contacting it.

use libtest_mimic::Trial;

use crate::{
    config::{Address, RunConfig, TargetSpec},
    record::RunReport,
    suite::CheckDef,
};

use super::schedule::skip_reason;

/// `--list`: the trials the profile runs against this target, in libtest's format; with
/// `--ignored`, the ones it would report as ignored. Nothing is contacted.
pub(super) fn list(config: &RunConfig, checks: &[CheckDef]) -> RunReport {
    let loopback = match &config.target {
        TargetSpec::Embedded { .. } => true,
        TargetSpec::Remote { address, .. } => Address::parse(address).is_ok_and(|a| a.loopback),
    };
    let destructive_allowed = (loopback && !config.assume_remote) || config.allow_destructive;
    let trials = checks
        .iter()
        .filter_map(|c| {
            let skipped = skip_reason(
                c,
                config.profile,
                destructive_allowed,
                config.explore_budget,
            )
            .is_some();
            (skipped == config.libtest.ignored)
                .then(|| Trial::test(c.name, || Ok(())).with_ignored_flag(skipped))
        })
        .collect();
    let _ = libtest_mimic::run(&config.libtest, trials);
    RunReport {
        listed_only: true,
        ..RunReport::default()
    }
}

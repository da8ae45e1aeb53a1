//! Before the first trial: the async runtime, the target (the embedded reference server when
//! there is no address), the transport with its deadline and pacing, the probe, the guard, and
//! the run's context.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use crate::{
    checks::CasePath,
    client::{Transport, TransportOptions},
    config::{ConfigError, RunConfig},
    suite::{Exploration, Replay, RunContext},
};

use super::{
    panics::IN_TRIAL,
    target::{Target, probe, resolve_target},
};

/// The part of the run's deadline kept for the cleanup (at most a quarter of it).
const CLEANUP_RESERVE: Duration = Duration::from_secs(5);

/// What the trials run with.
pub(super) struct Setup {
    pub runtime: Arc<tokio::runtime::Runtime>,
    pub target: Target,
    pub ctx: Arc<RunContext>,
    /// When the whole run, cleanup included, must be over.
    pub run_deadline: Instant,
}

/// Starts what the run needs and checks that the target answers. `Err`: the harness cannot
/// run against it (exit 2).
pub(super) fn set_up(config: &RunConfig) -> Result<Setup, ConfigError> {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            // One worker: the trials wait on the network, and with their connections on the
            // same thread no answer has to wake another core (measured: 15 % less processor
            // time and 10 % less wall time than two workers on the 2-core benchmark machine).
            .worker_threads(1)
            // Trials run on these threads: a panic there is reported by the trial.
            .on_thread_start(|| IN_TRIAL.with(|c| c.set(true)))
            .enable_all()
            .build()
            .map_err(|e| ConfigError::new(format!("cannot start the async runtime: {e}")))?,
    );

    let target = resolve_target(&config.target, config.profile)?;
    let ca_certs = match &config.ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            ConfigError::new(format!(
                "cannot read the CA certificate {}: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    if config.insecure {
        eprintln!(
            "tfe-contract: warning: TLS certificates are not verified (--insecure); anyone on the path can read the token"
        );
    }
    // The whole run ends by the deadline: trials stop sending a little before it, so that the
    // cleanup still fits.
    let run_deadline = Instant::now() + config.deadline;
    let reserve = CLEANUP_RESERVE.min(config.deadline / 4);
    let transport = Arc::new(
        Transport::new(
            target.address.base(),
            TransportOptions {
                timeout: config.timeout,
                ca_certs,
                insecure: config.insecure,
                deadline: Some(run_deadline - reserve),
                max_rate: config.max_rate,
            },
        )
        .map_err(|e| ConfigError::new(format!("cannot build the HTTP client: {e}")))?,
    );
    let probed = {
        let transport = transport.clone();
        let (address, owner, organization) = (
            target.address.clone(),
            target.owner.clone(),
            target.organization.clone(),
        );
        runtime
            .block_on(
                runtime
                    .spawn(async move { probe(&transport, &address, &owner, &organization).await }),
            )
            .map_err(|e| ConfigError::new(format!("the probe failed: {e}")))??
    };

    let destructive_allowed =
        (target.address.loopback && !config.assume_remote) || config.allow_destructive;
    if !destructive_allowed {
        // Beside the trials that are skipped, the layer that sends refuses anything that
        // would rotate or delete the account's own credentials.
        transport.guard.protect(&target.organization);
    }
    let ctx = Arc::new(RunContext::new(
        transport,
        target.owner.clone(),
        target.organization.clone(),
        config.profile,
        destructive_allowed,
        Exploration {
            budget: config.explore_budget,
            seed: config.seed.unwrap_or_else(rand::random),
            replay: config.replay.as_ref().map(|r| {
                &*Box::leak(Box::new(Replay {
                    trial: r.trial.clone(),
                    path: CasePath {
                        draw: r.draw,
                        moves: r.moves.clone(),
                        ran: r.ran,
                    },
                }))
            }),
        },
    ));
    // The agent pools the run may delete when it may not be destructive: its own.
    ctx.transport.guard.run_tag(&ctx.run_tag);
    if !config.quiet {
        eprintln!(
            "tfe-contract: checking {} (organization {}, profile {})",
            target.description, target.organization, config.profile
        );
    }

    ctx.housekeeping(probed);
    Ok(Setup {
        runtime,
        target,
        ctx,
        run_deadline,
    })
}

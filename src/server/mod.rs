//! The embedded reference server: an in-memory implementation of the token API that behaves
//! like real TFE for everything in the spec, on loopback and an ephemeral port. It is an
//! independent implementation: it uses nothing from the rest of the crate (no checks, no
//! generated client types), so that a misreading of the contract cannot hide by being made
//! twice. It can deviate on purpose (`Fault`) or differ in allowed ways (`Quirk`).

mod api;
mod fault;
mod state;

use std::{
    fmt,
    net::{SocketAddr, TcpListener},
    str::FromStr,
    thread::JoinHandle,
};

pub use fault::{
    Fault, FaultRow, Quirk, QuirkRow, describe as describe_faults_and_quirks, matches,
};

/// Which flavour of the API to serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Current Terraform Enterprise: tokens expire two years after creation by default.
    Tfe,
    /// HCP Terraform: as `Tfe`, plus the audit-trails token.
    Hcp,
    /// The seeds' era: no default expiry, no expired-at attribute unless one was set.
    Legacy,
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "tfe" => Ok(Profile::Tfe),
            "hcp" => Ok(Profile::Hcp),
            "legacy" => Ok(Profile::Legacy),
            other => Err(format!("unknown profile {other:?}: use tfe, hcp or legacy")),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Tfe => "tfe",
            Profile::Hcp => "hcp",
            Profile::Legacy => "legacy",
        })
    }
}

/// How to run the server.
#[derive(Clone, Debug)]
pub struct Config {
    /// 0 picks a free port.
    pub port: u16,
    pub organization: String,
    /// The user token of the organization's owner.
    pub owner_token: String,
    pub profile: Profile,
    pub faults: Vec<Fault>,
    pub quirks: Vec<Quirk>,
    /// Wait this long before answering each request (a slow server).
    pub delay: std::time::Duration,
}

impl Config {
    /// A clean server for `organization`, owned by `owner_token`.
    pub fn new(organization: &str, owner_token: &str, profile: Profile) -> Self {
        Self {
            port: 0,
            organization: organization.to_string(),
            owner_token: owner_token.to_string(),
            profile,
            faults: Vec::new(),
            quirks: Vec::new(),
            delay: std::time::Duration::ZERO,
        }
    }
}

/// What the server holds: team names, and the live tokens as `kind id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub teams: Vec<String>,
    pub tokens: Vec<String>,
}

/// A running server; dropping it stops the server.
pub struct Handle {
    pub addr: SocketAddr,
    state: api::Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// What the server holds right now.
    pub fn inventory(&self) -> Inventory {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .inventory()
    }

    /// Blocks until Ctrl-C, then stops the server.
    pub fn wait_for_interrupt(self) {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            let _ = rt.block_on(tokio::signal::ctrl_c());
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Binds 127.0.0.1:`port` and serves on a thread of its own until the handle is dropped.
pub fn spawn(config: Config) -> std::io::Result<Handle> {
    let listener = TcpListener::bind(("127.0.0.1", config.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shared = api::shared(state::State::new(&config));
    let app = api::router(shared.clone(), config.delay);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let thread = std::thread::Builder::new()
        .name(format!("reference-server-{}", addr.port()))
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                // Dropping the serve future on stop closes the listener; open connections end
                // with the runtime.
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
        })?;
    Ok(Handle {
        addr,
        state: shared,
        stop: Some(stop),
        thread: Some(thread),
    })
}

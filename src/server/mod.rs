//! The embedded reference server: an in-memory implementation of the token API that behaves
//! like real TFE for everything in the spec, on loopback and an ephemeral port. It is an
//! independent implementation: it uses nothing from the rest of the crate (no checks, no
//! generated client types), so that a misreading of the contract cannot hide by being made
//! twice. It can deviate on purpose (`Fault`) or differ in allowed ways (`Quirk`).

mod api;
mod fault;
mod modes;
mod state;

use std::{
    fmt,
    net::{SocketAddr, TcpListener},
    str::FromStr,
    sync::Arc,
    thread::JoinHandle,
    time::Duration,
};

use hyper_util::rt::TokioIo;
pub use modes::{Garbage, Modes, Tls};
use tokio_rustls::TlsAcceptor;

pub use fault::{Fault, FaultRow, Quirk, QuirkRow, describe as describe_faults_and_quirks};

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
    /// How it behaves on the wire (slow, rate-limited, garbage, TLS, ...).
    pub modes: Modes,
    /// Mint ids and secrets from this seed: the same requests in the same order then get the
    /// same answers (a benchmark replays a run against it).
    pub seed: Option<u64>,
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
            modes: Modes::default(),
            seed: None,
        }
    }
}

/// What the server holds: team and agent-pool names, and the live tokens as `kind id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub teams: Vec<String>,
    pub tokens: Vec<String>,
    /// With `Modes::foretell_secrets`: every secret minted (each told before it was handed out).
    pub foretold_secrets_minted: Vec<String>,
    pub agent_pools: Vec<String>,
}

/// A running server; dropping it stops the server.
pub struct Handle {
    pub addr: SocketAddr,
    /// `http` or `https`.
    pub scheme: &'static str,
    state: api::Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// The server's base URL, e.g. `http://127.0.0.1:4000`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

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
    let tls = config.modes.tls.as_ref().map(acceptor).transpose()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let shared = api::shared(state::State::new(&config));
    let wire = modes::Wire::new(config.modes.clone(), api::router(shared.clone()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
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
                // Dropping the accept loop on stop closes the listener; open connections end
                // with the runtime.
                tokio::select! {
                    _ = accept(listener, wire, tls) => {}
                    _ = stopped => {}
                }
            });
        })?;
    Ok(Handle {
        addr,
        scheme,
        state: shared,
        stop: Some(stop),
        thread: Some(thread),
    })
}

async fn accept(
    listener: tokio::net::TcpListener,
    wire: Arc<modes::Wire>,
    tls: Option<TlsAcceptor>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if wire.modes.reset_after.is_some() {
            // Close with RST, not FIN, when a request is dropped.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
        let wire = wire.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| wire.clone().serve(request));
            let http = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
            }
        });
    }
}

fn acceptor(tls: &Tls) -> std::io::Result<TlsAcceptor> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
    let invalid = |what: &str, e: &dyn fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{what}: {e}"))
    };
    let certs = CertificateDer::pem_slice_iter(&tls.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("TLS certificate", &e))?;
    let key = PrivateKeyDer::from_pem_slice(&tls.key_pem).map_err(|e| invalid("TLS key", &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| invalid("TLS", &e))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| invalid("TLS certificate", &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

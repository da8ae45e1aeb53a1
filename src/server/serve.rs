//! Serving: binds a loopback port, runs the accept loop (over TLS or not) on a thread of its
//! own, and hands every connection to the wire modes and the router; the `Handle` stops it when
//! dropped and tells what the server holds.

use std::{
    fmt,
    net::{SocketAddr, TcpListener},
    sync::Arc,
    thread::JoinHandle,
    time::Duration,
};

use hyper_util::rt::TokioIo;
use tokio_rustls::TlsAcceptor;

use super::{Config, Tls, api, modes, state};

/// What the server holds: team and agent-pool names, and the live tokens as `kind id`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub teams: Vec<String>,
    pub tokens: Vec<String>,
    /// With `Modes::foretell_secrets`: every secret minted (each told before it was handed out).
    pub foretold_secrets_minted: Vec<String>,
    pub agent_pools: Vec<String>,
    /// With `Modes::echo_encoded`: every secret echoed (the caller's and those handed out).
    pub echoed_secrets: Vec<String>,
}

/// A running server; dropping it stops the server.
pub struct Handle {
    pub addr: SocketAddr,
    /// `http` or `https`.
    pub scheme: &'static str,
    state: api::Shared,
    wire: Arc<modes::Wire>,
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
        let mut inventory = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .inventory();
        inventory.echoed_secrets = self.wire.echoed.all();
        inventory
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
    let keyed = shared.clone();
    let rate_key: modes::RateKey = Box::new(move |authorization| {
        keyed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .rate_key(authorization)
    });
    let wire = modes::Wire::new(config.modes.clone(), api::router(shared.clone()), rate_key);
    let serving = wire.clone();
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
                    _ = accept(listener, serving, tls) => {}
                    _ = stopped => {}
                }
            });
        })?;
    Ok(Handle {
        addr,
        scheme,
        state: shared,
        wire,
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

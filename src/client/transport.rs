//! The shared HTTP side of a run: one connection pool for every trial, its TLS settings, its
//! deadline, the pace of each credential, the guard, and whether requests may still leave.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{guard::Guard, pacing::Pacer};

/// How to reach the target.
#[derive(Clone, Debug, Default)]
pub struct TransportOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Extra trusted roots, PEM (a private CA).
    pub ca_certs: Option<Vec<u8>>,
    /// Skip certificate verification.
    pub insecure: bool,
    /// No request is answered after this moment.
    pub deadline: Option<Instant>,
    /// `--max-rate`: requests per second per credential, whatever the target announces.
    pub max_rate: Option<f64>,
}

/// Why requests stopped being sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    Interrupted,
    DeadlinePassed,
}

/// The shared HTTP side of a run: one connection pool for every trial.
#[derive(Debug)]
pub struct Transport {
    pub http: reqwest::Client,
    /// The API base, e.g. `http://127.0.0.1:4000/api/v2`.
    pub base: String,
    /// Every secret the target minted during the run, to retire from redaction at its end.
    pub minted: Mutex<Vec<String>>,
    /// Set on interrupt or when the deadline passes: no new request leaves.
    halted: Mutex<Option<Halt>>,
    /// Requests sent and not yet answered.
    pub(super) in_flight: std::sync::atomic::AtomicUsize,
    /// Each credential's pace, and what the target's rate limit cost the run; shared with the
    /// cleanup's transport, which goes on at the pace learned.
    pub pacer: Arc<Pacer>,
    /// Where requests may go; shared with the cleanup's transport.
    pub guard: Arc<Guard>,
    /// The path of the API base (`/api/v2`).
    pub(super) base_path: String,
    pub(super) options: TransportOptions,
}

impl Transport {
    /// When requests stop leaving (the run's deadline less the cleanup's reserve), if ever.
    pub fn deadline(&self) -> Option<Instant> {
        self.options.deadline
    }

    pub fn new(base: &str, options: TransportOptions) -> Result<Self, String> {
        let timeout = options.timeout;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let origin = reqwest::Url::parse(base).map_err(|e| e.to_string())?;
        let base_path = origin.path().trim_end_matches('/').to_string();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            // Follow a redirect only within the same origin: the Authorization header must never
            // travel to another host, and an API that redirects elsewhere has failed anyway.
            let same = attempt.url().origin() == origin.origin();
            if same && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .user_agent(concat!("tfe-contract/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(16);
        if base.starts_with("http://") {
            // No TLS will be spoken: skip loading the system's root certificates (milliseconds
            // at every start).
            let none = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
            builder = builder.tls_backend_preconfigured(none);
        } else if let Some(pem) = &options.ca_certs {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                format!("the CA certificate file holds no usable PEM certificate: {e}")
            })?;
            if certs.is_empty() {
                return Err("the CA certificate file holds no PEM certificate".into());
            }
            builder = builder.tls_certs_merge(certs);
        }
        if options.insecure && !base.starts_with("http://") {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            minted: Mutex::new(Vec::new()),
            halted: Mutex::new(None),
            in_flight: Default::default(),
            pacer: Arc::new(Pacer::new(options.max_rate)),
            guard: Arc::default(),
            base_path,
            options,
        })
    }

    /// A transport like this one (same target and TLS settings) for work that must go on
    /// after this one was halted, and must be done within `budget`.
    pub fn fresh_within(&self, budget: Duration) -> Result<Self, String> {
        let options = TransportOptions {
            deadline: Some(Instant::now() + budget),
            timeout: self.options.timeout.min(budget),
            ..self.options.clone()
        };
        let mut fresh = Self::new(&self.base, options)?;
        fresh.pacer = self.pacer.clone();
        fresh.guard = self.guard.clone();
        Ok(fresh)
    }

    /// Stops every new request; those under way finish.
    pub fn halt(&self, why: Halt) {
        let mut halted = self.halted.lock().unwrap_or_else(|e| e.into_inner());
        halted.get_or_insert(why);
    }

    /// Why requests stopped, if they did.
    pub fn halted(&self) -> Option<Halt> {
        *self.halted.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_halted(&self) -> bool {
        self.halted().is_some()
    }

    /// Waits (at most `limit`) until no request is under way.
    pub async fn settle(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Counts a request as under way while it lives.
pub(super) struct InFlight<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> InFlight<'a> {
    pub(super) fn new(counter: &'a std::sync::atomic::AtomicUsize) -> Self {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

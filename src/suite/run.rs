//! What the trials of one run share (`RunContext`): the target and its transport, the user's
//! token, the profile, the locks on shared credentials, the run's tag and names, the tour,
//! the whole-run judge (`judge.rs`) and the cleanup log (`cleanup.rs`).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use rand::Rng;

use super::{
    Boxed, Created, Exploration, Family, Session, Stop, cleanup::CleanupLog, fixtures,
    judge::Judge, registry,
};
use crate::{
    checks::Finding,
    client::{Auth, Transport},
    config::Profile,
    exchange::Exchange,
    redact::Secret,
    spec::Spec,
};

/// The most time a step before the trials that only saves requests may take (the look-ups,
/// the set-up token).
const SETUP_TOKEN_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// Shared by every trial of one run.
pub struct RunContext {
    pub spec: &'static Spec,
    pub transport: Arc<Transport>,
    /// The token the user gave (an owner's user token).
    pub owner: Secret,
    pub organization: String,
    pub profile: Profile,
    /// Whether destructive trials may run: loopback target, or `--allow-destructive`.
    pub destructive_allowed: bool,
    /// Random, lower-case: makes the names this run generates unique.
    pub run_tag: String,
    /// How much the run explores, from which seed.
    pub exploration: Exploration,
    /// The families of the suite (their tours, sweeps and personas).
    families: &'static [Family],
    org_token: tokio::sync::Mutex<()>,
    owners_team: tokio::sync::Mutex<()>,
    pub(crate) tour: tokio::sync::OnceCell<Arc<Vec<Exchange>>>,
    judge: Arc<Judge>,
    pub(super) created: CleanupLog,
    /// Exchanges of no trial: the probe and the cleanup.
    housekeeping_log: Mutex<Vec<Exchange>>,
    /// Numbers the names this run generates.
    names: AtomicUsize,
    /// The run's set-up token (`fixtures::SetupToken`), once made; `None` inside: none.
    setup_token: std::sync::OnceLock<Option<fixtures::SetupToken>>,
    /// What the run looked up before its trials (`fixtures::Known`).
    known: std::sync::OnceLock<fixtures::Known>,
    /// The personas one credential serves for the whole run (`Provider::shared`), by name,
    /// once made; `None` inside: making it failed, each trial makes its own.
    shared: Mutex<HashMap<&'static str, Arc<tokio::sync::OnceCell<Option<Auth>>>>>,
}

impl RunContext {
    pub fn new(
        transport: Arc<Transport>,
        owner: Secret,
        organization: String,
        profile: Profile,
        destructive_allowed: bool,
        exploration: Exploration,
    ) -> Self {
        let run_tag: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(8)
            .map(|b| char::from(b).to_ascii_lowercase())
            .collect();
        let spec = Spec::get();
        Self {
            spec,
            transport,
            owner,
            organization,
            profile,
            destructive_allowed,
            run_tag,
            exploration,
            families: registry::families(),
            org_token: tokio::sync::Mutex::new(()),
            owners_team: tokio::sync::Mutex::new(()),
            tour: tokio::sync::OnceCell::new(),
            judge: Arc::new(Judge::new(spec)),
            created: CleanupLog::default(),
            housekeeping_log: Mutex::new(Vec::new()),
            names: AtomicUsize::new(0),
            setup_token: std::sync::OnceLock::new(),
            known: std::sync::OnceLock::new(),
            shared: Mutex::default(),
        }
    }

    /// Looks up, before any trial and once, what many trials stand on and no trial asks about
    /// (`fixtures::Known`). Its exchanges are housekeeping.
    pub async fn look_up(self: &Arc<Self>) {
        if self.known.get().is_some() {
            return;
        }
        let s = Session::new(self.clone());
        let known = tokio::time::timeout(self.setup_time(), fixtures::Known::look_up(&s))
            .await
            .unwrap_or_default();
        self.housekeeping(s.take_exchanges());
        let _ = self.known.set(known);
    }

    /// How long a step before the trials that only saves requests may take: a tenth of the
    /// time left, ten seconds at most. A server that keeps saying wait must not eat the
    /// trials' time.
    fn setup_time(&self) -> std::time::Duration {
        let left = self.transport.deadline().map_or(SETUP_TOKEN_TIME, |d| {
            d.saturating_duration_since(std::time::Instant::now()) / 10
        });
        left.min(SETUP_TOKEN_TIME)
    }

    /// The run's one credential for the persona `name` (`Provider::shared`): made by `make` the
    /// first time a trial asks, in a session of its own whose exchanges are housekeeping (so
    /// no trial's journal, and no snapshot, depends on which trial asked first); what it
    /// creates is deleted by the run's cleanup. `None`: it could not be made, in the time a
    /// step that only saves requests may take.
    pub async fn shared_credential(
        self: &Arc<Self>,
        name: &'static str,
        make: fn(Session) -> Boxed<Result<Auth, Stop>>,
    ) -> Option<Auth> {
        let cell = self
            .shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(name)
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            let s = Session::new(self.clone());
            let made = tokio::time::timeout(self.setup_time(), make(s.clone()))
                .await
                .ok()
                .and_then(Result::ok);
            self.housekeeping(s.take_exchanges());
            made
        })
        .await
        .clone()
    }

    /// The shared credential `name` (`shared_credential`), if it has been asked for: `None`
    /// before that, `Some(None)` where it could not be made.
    pub fn shared_made(&self, name: &str) -> Option<Option<Auth>> {
        self.shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)?
            .get()
            .cloned()
    }

    /// What the run looked up before its trials; nothing before `look_up`.
    pub fn known(&self) -> Option<&fixtures::Known> {
        self.known.get()
    }

    /// Makes the run's set-up token, where a family of the profile can (`Family::setup_token`);
    /// before any trial, once. Its exchanges are housekeeping.
    pub async fn make_setup_token(self: &Arc<Self>) {
        if self.setup_token.get().is_some() {
            return;
        }
        let maker = self
            .families
            .iter()
            .filter(|f| f.applies_to(self.profile))
            .find_map(|f| f.setup_token);
        let made = if let Some(make) = maker {
            let s = Session::new(self.clone());
            let made = tokio::time::timeout(self.setup_time(), make(s.clone()))
                .await
                .ok()
                .flatten();
            self.housekeeping(s.take_exchanges());
            made
        } else {
            None
        };
        let _ = self.setup_token.set(made);
    }

    /// The run's set-up token, if it has one.
    pub fn setup_token(&self) -> Option<&fixtures::SetupToken> {
        self.setup_token.get().and_then(Option::as_ref)
    }

    /// The families of the suite, in the registry's order.
    pub fn families(&self) -> &'static [Family] {
        self.families
    }

    /// The next number for a generated name.
    pub(super) fn next_name(&self) -> usize {
        self.names.fetch_add(1, Ordering::Relaxed)
    }

    /// Records exchanges that belong to no trial (probe, cleanup).
    pub fn housekeeping(&self, exchanges: Vec<Exchange>) {
        self.housekeeping_log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(exchanges.iter().map(Exchange::for_the_record));
    }

    pub fn housekeeping_exchanges(&self) -> Vec<Exchange> {
        self.housekeeping_log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many trials will finish before the whole-run checks may judge.
    pub fn expect_trials(&self, count: usize) {
        self.judge.expect(count);
    }

    /// Whole-run checks are to run: judge every trial's exchanges as it ends, on a thread of
    /// its own (see `Judge::start`).
    pub fn judge_trials(&self) {
        self.judge.start();
    }

    /// A trial finished (or was ignored): the whole-run rules judge its exchanges.
    pub fn trial_finished(&self, exchanges: Arc<Vec<Exchange>>) {
        self.judge.trial_finished(exchanges);
    }

    /// What rule `name` found in every other trial's exchanges, once they have all finished.
    pub async fn judged(&self, name: &str) -> Vec<Finding> {
        self.judge.judged(name).await
    }

    /// Held by every trial that changes the organization token, so that none races another.
    pub async fn lock_org_token(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.org_token.lock().await
    }

    /// Held by every trial that makes tokens of the owners team. Always taken after the
    /// organization token's lock, so that the two cannot deadlock.
    pub async fn lock_owners_team(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.owners_team.lock().await
    }

    pub fn remember(&self, created: Created) {
        self.created.remember(created);
    }

    pub fn forget(&self, created: &Created) {
        self.created.forget(created);
    }
}

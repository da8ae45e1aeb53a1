//! What trials share within a run (`RunContext`: the target, the connection pool, locks, the
//! cleanup list) and what each trial has to itself (`Session`: its journal of exchanges and
//! its findings).

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, OnceLock},
};

use futures::StreamExt;
use rand::Rng;

use crate::{
    checks::Finding,
    client::{Auth, Client, Journal, RawRequest, Recorder, Transport, types},
    config::Profile,
    exchange::Exchange,
    redact::Secret,
    spec::Spec,
};

/// How many deletions the cleanup has under way at once.
const CLEANUP_CONCURRENCY: usize = 8;

/// A trial stopped early: a finding it depends on was recorded, nothing further can be checked.
#[derive(Debug)]
pub struct Stop;

/// Something the run created on the target, to delete at the end.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Created {
    Team {
        id: String,
    },
    OrganizationToken {
        id: String,
    },
    AuditTrailsToken {
        id: String,
    },
    /// A user token, deleted through `/authentication-tokens/{id}`.
    UserToken {
        id: String,
    },
    /// A token of a team the run did not create (the owners team), deleted by id. (Tokens of
    /// teams the run created go with their team.)
    TeamToken {
        id: String,
    },
    /// An agent pool; its tokens go with it.
    AgentPool {
        id: String,
    },
    /// An agent token, deleted by id before its pool (as go-tfe's tests do), so that none is
    /// left should a server keep the tokens of a deleted pool.
    AgentToken {
        id: String,
    },
}

/// How something the run created is deleted by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// `DELETE /authentication-tokens/{id}`.
    Token,
    /// `DELETE /teams/{id}`.
    Team,
    /// `DELETE /agent-pools/{id}`.
    AgentPool,
}

impl Created {
    /// How a deletion by id goes: what to call it, its id, which route. `None` for the
    /// organization's tokens, which are deleted through their organization.
    fn by_id(&self) -> Option<(&'static str, &str, Via)> {
        match self {
            Created::UserToken { id } => Some(("user token", id, Via::Token)),
            Created::TeamToken { id } => Some(("team token", id, Via::Token)),
            Created::AgentToken { id } => Some(("agent token", id, Via::Token)),
            Created::Team { id } => Some(("team", id, Via::Team)),
            Created::AgentPool { id } => Some(("agent pool", id, Via::AgentPool)),
            Created::OrganizationToken { .. } | Created::AuditTrailsToken { .. } => None,
        }
    }
}

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
    org_token: tokio::sync::Mutex<()>,
    owners_team: tokio::sync::Mutex<()>,
    pub(crate) tour: tokio::sync::OnceCell<Arc<Vec<Exchange>>>,
    created: Mutex<std::collections::HashSet<Created>>,
    /// What the whole-run rules found in the exchanges of every finished trial, by rule.
    judged: Mutex<HashMap<&'static str, Vec<Finding>>>,
    /// Whether whole-run checks are to run (then trials are judged as they end).
    judging: std::sync::atomic::AtomicBool,
    /// Where finished trials wait for the judge thread, when it runs.
    judge: OnceLock<Arc<Judge>>,
    /// How many trials (other than whole-run ones) the run conducts, and how many finished.
    expected: std::sync::atomic::AtomicUsize,
    finished: std::sync::atomic::AtomicUsize,
    /// Exchanges of no trial: the probe and the cleanup.
    housekeeping_log: Mutex<Vec<Exchange>>,

    /// Numbers the names this run generates.
    names: std::sync::atomic::AtomicUsize,
    /// How many trials (other than whole-run ones) are still to finish.
    pending: tokio::sync::watch::Sender<usize>,
}

/// Deletes the tokens `(id, description)` by id; names those that could not be deleted.
async fn delete_tokens(
    owner: &crate::client::Client,
    journal: &Journal,
    tokens: Vec<(String, String)>,
    what: &str,
) -> Vec<String> {
    let mut left = Vec::new();
    for (id, description) in tokens {
        let _ = owner.delete_authentication_token(&id).await;
        if !matches!(journal.last().and_then(|e| e.status()), Some(204 | 404)) {
            left.push(format!("{what} {description} ({id})"));
        }
    }
    left
}

impl RunContext {
    pub fn new(
        transport: Arc<Transport>,
        owner: Secret,
        organization: String,
        profile: Profile,
        destructive_allowed: bool,
    ) -> Self {
        let run_tag: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(8)
            .map(|b| char::from(b).to_ascii_lowercase())
            .collect();
        Self {
            spec: Spec::get(),
            transport,
            owner,
            organization,
            profile,
            destructive_allowed,
            run_tag,
            org_token: tokio::sync::Mutex::new(()),
            owners_team: tokio::sync::Mutex::new(()),
            tour: tokio::sync::OnceCell::new(),
            created: Mutex::new(std::collections::HashSet::new()),
            judged: Mutex::new(HashMap::new()),
            judging: std::sync::atomic::AtomicBool::new(false),
            judge: OnceLock::new(),
            expected: std::sync::atomic::AtomicUsize::new(0),
            finished: std::sync::atomic::AtomicUsize::new(0),
            housekeeping_log: Mutex::new(Vec::new()),
            names: std::sync::atomic::AtomicUsize::new(0),
            pending: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Records exchanges that belong to no trial (probe, cleanup).
    pub fn housekeeping(&self, exchanges: Vec<Exchange>) {
        self.housekeeping_log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(exchanges);
    }

    pub fn housekeeping_exchanges(&self) -> Vec<Exchange> {
        self.housekeeping_log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many trials will finish before the whole-run checks may judge.
    pub fn expect_trials(&self, count: usize) {
        self.expected
            .store(count, std::sync::atomic::Ordering::SeqCst);
        self.pending.send_replace(count);
    }

    /// Whole-run checks are to run: judge every trial's exchanges as it ends, on a thread of
    /// its own. Without that thread (it could not start), trials are judged as they end.
    pub fn judge_trials(self: &Arc<Self>) {
        let judge = Arc::new(Judge::default());
        let (ctx, queue) = (self.clone(), judge.clone());
        let started = std::thread::Builder::new()
            .name("tfe-contract-judge".into())
            .spawn(move || ctx.judge_batches(&queue));
        if started.is_ok() {
            let _ = self.judge.set(judge);
        }
        self.judging
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// A trial finished (or was ignored): the whole-run rules judge its exchanges now, while
    /// other trials wait on the network, rather than all at the end. They do it on the judge
    /// thread, off the runtime's one worker (the reference server and the judge share the
    /// other core), woken once per `JUDGE_BATCH` trials and for the last one: waking a thread
    /// costs about 10 µs of the waker's time on the benchmark machine, as much as judging
    /// one trial (measured: a wake per trial took 4 % of the worker's time).
    pub fn trial_finished(&self, exchanges: Arc<Vec<Exchange>>) {
        if !self.judging.load(std::sync::atomic::Ordering::SeqCst) {
            self.pending.send_modify(|n| *n = n.saturating_sub(1));
            return;
        }
        let Some(judge) = self.judge.get() else {
            self.judge_one(&exchanges);
            self.pending.send_modify(|n| *n = n.saturating_sub(1));
            return;
        };
        // Big bodies are judged at once, so that they are not held while a batch fills.
        let heavy = exchanges.iter().map(Exchange::body_bytes).sum::<usize>() > HEAVY_BYTES;
        let queued = {
            let mut queue = judge.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.push(exchanges);
            queue.len()
        };
        let finished = self
            .finished
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        if heavy
            || queued >= JUDGE_BATCH
            || finished >= self.expected.load(std::sync::atomic::Ordering::SeqCst)
        {
            judge.ready.notify_one();
        }
    }

    /// The judge thread: judges what is queued, batch by batch, until every trial is judged.
    fn judge_batches(&self, judge: &Judge) {
        while *self.pending.borrow() > 0 {
            let batch = {
                let mut queue = judge.queue.lock().unwrap_or_else(|e| e.into_inner());
                while queue.is_empty() {
                    queue = judge.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
                std::mem::take(&mut *queue)
            };
            for exchanges in &batch {
                // A rule that panics is a harness bug; the trial still counts as judged, so
                // that the whole-run checks never wait for it forever.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.judge_one(exchanges)
                }));
            }
            self.pending
                .send_modify(|n| *n = n.saturating_sub(batch.len()));
        }
    }

    fn judge_one(&self, exchanges: &[Exchange]) {
        if exchanges.is_empty() {
            return;
        }
        let found: Vec<(&'static str, Vec<Finding>)> = super::conformance::RULES
            .iter()
            .map(|&(name, _, rule)| {
                (
                    name,
                    exchanges
                        .iter()
                        .flat_map(|ex| rule(self.spec, ex))
                        .collect(),
                )
            })
            .collect();
        let mut judged = self.judged.lock().unwrap_or_else(|e| e.into_inner());
        for (name, findings) in found {
            judged.entry(name).or_default().extend(findings);
        }
    }

    /// What rule `name` found in every other trial's exchanges, once they have all finished.
    pub async fn judged(&self, name: &str) -> Vec<Finding> {
        let mut done = self.pending.subscribe();
        let _ = done.wait_for(|n| *n == 0).await;
        self.judged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)
            .unwrap_or_default()
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
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(created);
    }

    pub fn forget(&self, created: &Created) {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(created);
    }

    /// Deletes everything the run created and still exists, through `transport`; returns what
    /// could not be deleted. `interrupted`: trials may still be finishing and recording what
    /// they created, so look again a few times.
    pub async fn cleanup(&self, transport: &Arc<Transport>, interrupted: bool) -> Vec<String> {
        let mut leftovers = Vec::new();
        let rounds = if interrupted { 3 } else { 1 };
        for round in 0..rounds {
            if round > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let pending: Vec<Created> =
                std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()))
                    .into_iter()
                    .collect();
            if pending.is_empty() {
                break;
            }
            leftovers.extend(self.delete_all(transport, pending).await);
        }
        leftovers.extend(self.sweep(transport).await);
        leftovers
    }

    /// Finds what the run may have made without learning of it (a create whose answer came
    /// garbled or too late), by the run's tag in team and agent-pool names and token
    /// descriptions, and deletes it (an agent pool with its tokens); returns what could not be
    /// deleted. Only names carrying this run's tag are touched: nothing of another run or of
    /// anyone else.
    async fn sweep(&self, transport: &Arc<Transport>) -> Vec<String> {
        let journal = Journal::default();
        journal.set_step("cleanup: what carries the run's tag");
        let owner = Recorder::client(transport, Auth::Bearer(self.owner.clone()), &journal);
        let tag = format!("-{}-", self.run_tag);
        let ours = |doc: Option<&serde_json::Value>, member: &str| -> Vec<(String, String)> {
            let items = doc
                .and_then(|d| d.get("data"))
                .and_then(serde_json::Value::as_array);
            items
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    let label = item.pointer(&format!("/attributes/{member}"))?.as_str()?;
                    let id = item.get("id")?.as_str()?;
                    label
                        .contains(&tag)
                        .then(|| (id.to_string(), label.to_string()))
                })
                .collect()
        };
        let mut leftovers = Vec::new();
        let _ = owner
            .list_teams(&self.organization, None, Some(&self.run_tag))
            .await;
        let teams = ours(journal.last().as_ref().and_then(Exchange::json), "name");
        for (id, name) in teams {
            let _ = owner.delete_team(&id).await;
            if !matches!(journal.last().and_then(|e| e.status()), Some(204 | 404)) {
                leftovers.push(format!("team {name} ({id})"));
            }
        }
        if self.profile.has_later_token_routes() {
            // The owners team outlives the run: its tokens the run made go one by one.
            let size = std::num::NonZeroU64::new(100);
            let _ = owner
                .list_team_tokens(
                    &self.organization,
                    None,
                    None,
                    None,
                    size,
                    Some("owners"),
                    None,
                )
                .await;
            let tokens = ours(
                journal.last().as_ref().and_then(Exchange::json),
                "description",
            );
            leftovers.extend(delete_tokens(&owner, &journal, tokens, "team token").await);
            let _ = owner.get_account_details().await;
            let user = journal
                .last()
                .and_then(|e| e.json()?.pointer("/data/id")?.as_str().map(str::to_string));
            if let Some(user) = user {
                let _ = owner.list_user_tokens(&user, None, None).await;
                let tokens = ours(
                    journal.last().as_ref().and_then(Exchange::json),
                    "description",
                );
                leftovers.extend(delete_tokens(&owner, &journal, tokens, "user token").await);
            }
            // Agent pools (none without the agents entitlement: then the list is a 404).
            let size = std::num::NonZeroU64::new(100);
            let _ = owner
                .list_agent_pools(&self.organization, None, size, Some(&self.run_tag))
                .await;
            let pools = ours(journal.last().as_ref().and_then(Exchange::json), "name");
            for (id, name) in pools {
                let _ = owner.delete_agent_pool(&id).await;
                if !matches!(journal.last().and_then(|e| e.status()), Some(204 | 404)) {
                    leftovers.push(format!("agent pool {name} ({id})"));
                }
            }
        }
        self.housekeeping(journal.take());
        leftovers
    }

    async fn delete_all(&self, transport: &Arc<Transport>, pending: Vec<Created>) -> Vec<String> {
        let journal = Journal::default();
        journal.set_step("cleanup");
        let owner = Recorder::client(transport, Auth::Bearer(self.owner.clone()), &journal);
        let status = |journal: &Journal| journal.last().and_then(|e| e.status());
        let mut leftovers = Vec::new();

        // Of all the organization (audit-trails) tokens the run made, only the current one can
        // still exist: delete it if it is one of ours, and leave anyone else's alone.
        for audit in [false, true] {
            let ours: Vec<&String> = pending
                .iter()
                .filter_map(|c| match c {
                    Created::OrganizationToken { id } if !audit => Some(id),
                    Created::AuditTrailsToken { id } if audit => Some(id),
                    _ => None,
                })
                .collect();
            if ours.is_empty() {
                continue;
            }
            let kind = audit.then_some(types::GetOrganizationTokenToken::AuditTrails);
            let _ = owner.get_organization_token(&self.organization, kind).await;
            let what = if audit {
                "audit-trails token"
            } else {
                "organization token"
            };
            if journal.last().is_none_or(|e| e.response().is_none()) {
                let ids: Vec<&str> = ours.iter().map(|s| s.as_str()).collect();
                leftovers.push(format!(
                    "{what} {} (could not check whether it is still there)",
                    ids.join(" or ")
                ));
                continue;
            }
            let current = journal.last().and_then(|e| {
                (e.status() == Some(200))
                    .then(|| crate::checks::token::TokenView::of(&e).and_then(|v| v.id))
                    .flatten()
            });
            if let Some(id) = current.filter(|id| ours.contains(&id)) {
                let kind = audit.then_some(types::DeleteOrganizationTokenToken::AuditTrails);
                let _ = owner
                    .delete_organization_token(&self.organization, kind)
                    .await;
                if !matches!(status(&journal), Some(204 | 404)) {
                    leftovers.push(format!("{what} {id}"));
                }
            }
        }
        // Everything else: several deletions at once.
        self.housekeeping(journal.exchanges());
        for (created, exchanges, gone) in self.delete_by_id(transport, pending).await {
            self.housekeeping(exchanges);
            if !gone && let Some((what, id, _)) = created.by_id() {
                leftovers.push(format!("{what} {id}"));
            }
        }
        leftovers
    }

    /// Deletes the teams, agent pools and tokens among `items` (the organization's tokens
    /// are left out), several at once, each with its own journal: each with its exchanges and
    /// whether it is gone (deleted now, or already). Tokens go first, then what holds tokens.
    async fn delete_by_id(
        &self,
        transport: &Arc<Transport>,
        items: Vec<Created>,
    ) -> Vec<(Created, Vec<Exchange>, bool)> {
        let (tokens, holders): (Vec<Created>, Vec<Created>) = items
            .into_iter()
            .filter(|c| c.by_id().is_some())
            .partition(|c| matches!(c.by_id(), Some((_, _, Via::Token))));
        let mut done = Vec::new();
        for stage in [tokens, holders] {
            // A plain loop, not a closure: spawned cleanup must stay `Send` for every lifetime.
            let mut deletions = Vec::with_capacity(stage.len());
            for created in stage {
                deletions.push(self.delete_one(transport, created));
            }
            let finished: Vec<_> = futures::stream::iter(deletions)
                .buffer_unordered(CLEANUP_CONCURRENCY)
                .collect()
                .await;
            done.extend(finished);
        }
        done
    }

    async fn delete_one(
        &self,
        transport: &Arc<Transport>,
        created: Created,
    ) -> (Created, Vec<Exchange>, bool) {
        let journal = Journal::default();
        journal.set_step("cleanup");
        let owner = Recorder::client(transport, Auth::Bearer(self.owner.clone()), &journal);
        if let Some((_, id, via)) = created.by_id() {
            let _ = match via {
                Via::Team => owner.delete_team(id).await.map(|_| ()),
                Via::AgentPool => owner.delete_agent_pool(id).await.map(|_| ()),
                Via::Token => owner.delete_authentication_token(id).await.map(|_| ()),
            };
        }
        let gone = matches!(journal.last().and_then(|e| e.status()), Some(204 | 404));
        (created, journal.take(), gone)
    }

    /// Right after a trial: deletes the teams, agent pools and tokens it created (not the
    /// organization's tokens: those are the run's to settle, under their lock, at the end),
    /// several at once. What cannot be deleted now stays for the run's cleanup, which tries
    /// again and reports it. Returns the exchanges.
    pub async fn release(&self, created: Vec<Created>) -> Vec<Exchange> {
        let still: Vec<Created> = {
            let set = self.created.lock().unwrap_or_else(|e| e.into_inner());
            created.into_iter().filter(|c| set.contains(c)).collect()
        };
        let mut exchanges = Vec::new();
        for (created, made, gone) in self.delete_by_id(&self.transport, still).await {
            if gone {
                self.forget(&created);
            }
            exchanges.extend(made);
        }
        exchanges
    }
}

/// Finished trials waiting for the judge thread.
#[derive(Default)]
struct Judge {
    queue: Mutex<Vec<Arc<Vec<Exchange>>>>,
    ready: std::sync::Condvar,
}

/// How many finished trials wake the judge thread.
const JUDGE_BATCH: usize = 16;

/// A finished trial whose response bodies add up to more than this wakes the judge at once.
const HEAVY_BYTES: usize = 8 * 1024 * 1024;

/// One trial's view of the run: its own journal and findings.
#[derive(Clone)]
pub struct Session {
    ctx: Arc<RunContext>,
    journal: Journal,
    findings: Arc<Mutex<Vec<Finding>>>,
    names: Arc<Mutex<Vec<String>>>,
    /// What this trial created, to delete when it ends.
    created: Arc<Mutex<Vec<Created>>>,
}

impl Session {
    pub fn new(ctx: Arc<RunContext>) -> Self {
        Self {
            ctx,
            journal: Journal::default(),
            findings: Arc::default(),
            names: Arc::default(),
            created: Arc::default(),
        }
    }

    pub fn ctx(&self) -> &Arc<RunContext> {
        &self.ctx
    }

    pub fn org(&self) -> &str {
        &self.ctx.organization
    }

    pub fn spec(&self) -> &'static Spec {
        self.ctx.spec
    }

    pub fn profile(&self) -> Profile {
        self.ctx.profile
    }

    /// A typed client sending `auth`.
    pub fn client(&self, auth: Auth) -> Client {
        Recorder::client(&self.ctx.transport, auth, &self.journal)
    }

    /// A typed client sending the user's token.
    pub fn owner(&self) -> Client {
        self.client(Auth::Bearer(self.ctx.owner.clone()))
    }

    /// A typed client sending `secret`.
    pub fn bearer(&self, secret: &Secret) -> Client {
        self.client(Auth::Bearer(secret.clone()))
    }

    /// Awaits a typed call and returns the exchange it made, whatever the typed result.
    pub async fn call<T, E>(
        &self,
        step: &str,
        call: impl Future<Output = Result<T, progenitor_client::Error<E>>>,
    ) -> Exchange {
        self.journal.set_step(step);
        let before = self.journal.len();
        let result = call.await;
        match self.journal.last() {
            Some(ex) if self.journal.len() > before => ex,
            _ => {
                let reason = match result {
                    Ok(_) => "the client returned without a request".to_string(),
                    Err(_) => "the client could not form the request".to_string(),
                };
                self.journal.unsent(reason)
            }
        }
    }

    /// A hand-built request for `operation` with its path parameters filled in.
    pub fn raw(
        &self,
        step: &str,
        auth: Auth,
        operation: &str,
        params: &[(&str, &str)],
    ) -> RawRequest {
        self.journal.set_step(step);
        let op = self.ctx.spec.op(operation);
        let recorder = Recorder {
            transport: self.ctx.transport.clone(),
            auth,
            journal: self.journal.clone(),
            patient: true,
        };
        recorder.raw(op, op.path_with(params))
    }

    /// Records findings (each once); the trial goes on.
    pub fn check(&self, findings: impl IntoIterator<Item = Finding>) {
        let mut recorded = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        for finding in findings {
            if !recorded.contains(&finding) {
                recorded.push(finding);
            }
        }
    }

    /// Records findings; stops the trial if there are any (what follows depends on it).
    pub fn gate(&self, findings: impl IntoIterator<Item = Finding>) -> Result<(), Stop> {
        let findings: Vec<Finding> = findings.into_iter().collect();
        let stop = !findings.is_empty();
        self.check(findings);
        if stop { Err(Stop) } else { Ok(()) }
    }

    /// Records that a step the check depends on did not give what the trial needs.
    pub fn setup_failed(&self, ex: &Exchange, needed: &str) -> Stop {
        if ex.status() == Some(429) {
            // Not the server's answer to the step, only "wait", for longer than the run had.
            self.check([Finding::rate_limited(ex, needed)]);
            return Stop;
        }
        if ex.outcome.as_ref().err().map(|e| e.kind)
            == Some(crate::exchange::TransportErrorKind::RateLimited)
        {
            self.check([Finding::no_response(ex)]);
            return Stop;
        }
        let actual = match ex.response() {
            Some(r) => format!(
                "{} with body {}",
                r.status,
                crate::redact::excerpt(&r.body, 160)
            ),
            None => Finding::no_response(ex).actual,
        };
        self.check([Finding::new("setup", ex, needed, actual)]);
        Stop
    }

    pub fn findings(&self) -> Vec<Finding> {
        self.findings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn exchanges(&self) -> Vec<Exchange> {
        self.journal.exchanges()
    }

    /// The trial's exchanges, taken out of its journal at its end.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        self.journal.take()
    }

    /// Remembers something this trial created, for deletion when it ends (and, should that
    /// fail, at the end of the run).
    pub fn remember(&self, created: Created) {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(created.clone());
        self.ctx.remember(created);
    }

    /// What this trial created, taken out.
    pub fn take_created(&self) -> Vec<Created> {
        std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A name no one else uses (`tfe-contract-<what>-<run tag>-<n>`), remembered so that
    /// snapshots can replace it.
    pub fn unique_name(&self, what: &str) -> String {
        let n = self
            .ctx
            .names
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("tfe-contract-{what}-{}-{n}", self.ctx.run_tag);
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if !names.contains(&name) {
            names.push(name.clone());
        }
        name
    }

    pub fn generated_names(&self) -> Vec<String> {
        self.names.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

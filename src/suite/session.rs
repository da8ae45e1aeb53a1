//! One trial's view of the run (`Session`): its own journal of exchanges, its findings, the
//! names it generated and what it created; and `Stop`, how a trial ends early.

use std::{
    future::Future,
    sync::{Arc, Mutex},
};

use super::{Created, RunContext};
use crate::{
    checks::Finding,
    client::{Auth, Client, Journal, RawRequest, Recorder, Transport},
    config::Profile,
    exchange::Exchange,
    redact::Secret,
    spec::Spec,
};

/// A trial stopped early: a finding it depends on was recorded, nothing further can be checked.
#[derive(Debug)]
pub struct Stop;

/// One trial's view of the run: its own journal and findings.
#[derive(Clone)]
pub struct Session {
    ctx: Arc<RunContext>,
    /// Where its requests go: the run's transport, or a fresh one for a cleanup after Ctrl-C.
    transport: Arc<Transport>,
    journal: Journal,
    findings: Arc<Mutex<Vec<Finding>>>,
    names: Arc<Mutex<Vec<String>>>,
    /// What this trial created, to delete when it ends.
    created: Arc<Mutex<Vec<Created>>>,
}

impl Session {
    pub fn new(ctx: Arc<RunContext>) -> Self {
        let transport = ctx.transport.clone();
        Self::on(ctx, transport)
    }

    /// A session whose requests go through `transport`.
    pub fn on(ctx: Arc<RunContext>, transport: Arc<Transport>) -> Self {
        Self {
            ctx,
            transport,
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
        Recorder::client(&self.transport, auth, &self.journal)
    }

    /// The user's token, as a credential to send.
    pub fn as_owner(&self) -> Auth {
        Auth::Bearer(self.ctx.owner.clone())
    }

    /// A typed client sending the user's token.
    pub fn owner(&self) -> Client {
        self.client(self.as_owner())
    }

    /// The credential for set-up the trial does not ask about (making a team or an agent
    /// pool to stand on): the run's set-up token when it has one, else the user's token.
    pub fn as_setup(&self) -> Auth {
        match self.ctx.setup_token() {
            Some(token) => Auth::Bearer(token.next().clone()),
            None => self.as_owner(),
        }
    }

    /// The credential that explores team tokens (the drawn sequences and inputs of the team
    /// and legacy-team families): the run's team manager when it has one (ref §5: teams with
    /// "manage teams" manage team tokens), else the user's token. Never for the owners team's
    /// tokens.
    pub fn as_team_manager(&self) -> Auth {
        match self.ctx.setup_token().and_then(|t| t.team_manager.as_ref()) {
            Some(secret) => Auth::Bearer(secret.clone()),
            None => self.as_owner(),
        }
    }

    /// A typed client sending `as_team_manager`'s credential.
    pub fn team_manager(&self) -> Client {
        self.client(self.as_team_manager())
    }

    /// A typed client sending `as_setup`'s credential.
    pub fn setup(&self) -> Client {
        self.client(self.as_setup())
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
            Some(ex) if self.journal.len() > before => {
                self.note_deleted(&ex);
                ex
            }
            _ => {
                let reason = match result {
                    Ok(_) => "the client returned without a request".to_string(),
                    Err(_) => "the client could not form the request".to_string(),
                };
                self.journal.unsent(reason)
            }
        }
    }

    /// What this trial created and `ex` deleted (204 to the very request its cleanup would
    /// send) needs no deletion at its end: the cleanup's request would only be answered 404.
    fn note_deleted(&self, ex: &Exchange) {
        if ex.status() != Some(204) {
            return;
        }
        let deleted: Vec<Created> = self
            .created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|c| c.removed_by(ex))
            .cloned()
            .collect();
        for created in &deleted {
            self.ctx.forget(created);
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
            transport: self.transport.clone(),
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

    /// How many exchanges the trial has made so far.
    pub fn journal_len(&self) -> usize {
        self.journal.len()
    }

    /// The exchanges made since the trial had made `count`.
    pub fn exchanges_since(&self, count: usize) -> Vec<Exchange> {
        let mut all = self.journal.exchanges();
        all.drain(..count.min(all.len()));
        all
    }

    /// A session that shares this one's journal, names and what it created, with findings
    /// of its own: a case an exploring trial tries, judged before anything of it is recorded.
    pub fn scratch(&self) -> Session {
        Session {
            findings: Arc::default(),
            ..self.clone()
        }
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

    /// What the trial created that is still to delete once it has ended (`passed`: without a
    /// finding or a panic). A trial that passed leaves out the tokens it made in a team or an
    /// agent pool it then deleted itself (204), and the run forgets them: a deleted holder's
    /// tokens are gone (ref §4), and the trial saw the target keep to that wherever it asked.
    /// Why: the agent-token sequences delete their pools, and each of those tokens' deletions
    /// was answered 404, 69 of the set-up token's 568 requests in a `tfe` run. After a failure
    /// every token is deleted on its own, should the target have kept some.
    pub fn take_created_to_release(&self, passed: bool) -> Vec<Created> {
        let created = self.take_created();
        if !passed {
            return created;
        }
        let exchanges = self.journal.exchanges();
        let (gone, still): (Vec<Created>, Vec<Created>) = created
            .into_iter()
            .partition(|c| c.is_token() && holder_deleted(&exchanges, &c.id));
        for created in &gone {
            self.ctx.forget(created);
        }
        still
    }

    /// A name no one else uses (`tfe-contract-<what>-<run tag>-<n>`), remembered so that
    /// snapshots can replace it.
    pub fn unique_name(&self, what: &str) -> String {
        let name = format!(
            "tfe-contract-{what}-{}-{}",
            self.ctx.run_tag,
            self.ctx.next_name()
        );
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

/// Whether the request that made the token `id` (its answer's `data.id`) names in its path a
/// holder that a later request of `exchanges` deleted (204).
fn holder_deleted(exchanges: &[Exchange], id: &str) -> bool {
    let Some(made) = exchanges.iter().position(|ex| {
        ex.request.method == http::Method::POST
            && matches!(ex.status(), Some(200 | 201))
            && ex
                .json()
                .and_then(|d| d.pointer("/data/id")?.as_str().map(|v| v == id))
                .unwrap_or(false)
    }) else {
        return false;
    };
    let path = exchanges[made].request.path.split('?').next().unwrap_or("");
    let holders: Vec<&str> = path.split('/').rev().skip(1).collect();
    exchanges[made + 1..].iter().any(|ex| {
        ex.request.method == http::Method::DELETE
            && ex.status() == Some(204)
            && ex
                .request
                .path
                .rsplit('/')
                .next()
                .is_some_and(|last| !last.is_empty() && holders.contains(&last))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(method: http::Method, path: &str, status: u16, body: &str) -> Exchange {
        let mut ex = Exchange::canned("op", path, status, body);
        ex.request.method = method;
        ex
    }

    fn made(pool: &str, id: &str) -> Exchange {
        sent(
            http::Method::POST,
            &format!("/api/v2/agent-pools/{pool}/authentication-tokens"),
            201,
            &format!(r#"{{"data":{{"id":"{id}","type":"authentication-tokens"}}}}"#),
        )
    }

    fn deleted(path: &str, status: u16) -> Exchange {
        sent(http::Method::DELETE, path, status, "")
    }

    #[test]
    fn a_token_of_a_pool_the_trial_deleted_is_gone_with_it() {
        let journal = [
            made("apool-1", "at-a"),
            made("apool-2", "at-b"),
            deleted("/api/v2/agent-pools/apool-1", 204),
        ];
        assert!(holder_deleted(&journal, "at-a"));
        // Another pool's token, and a token the trial never made, are still to delete.
        assert!(!holder_deleted(&journal, "at-b"));
        assert!(!holder_deleted(&journal, "at-c"));
    }

    #[test]
    fn a_holder_deletion_that_failed_or_came_first_proves_nothing() {
        let refused = [
            made("apool-1", "at-a"),
            deleted("/api/v2/agent-pools/apool-1", 404),
        ];
        assert!(!holder_deleted(&refused, "at-a"));
        let before = [
            deleted("/api/v2/agent-pools/apool-1", 204),
            made("apool-1", "at-a"),
        ];
        assert!(!holder_deleted(&before, "at-a"));
        // Deleting the token's sibling is not deleting its pool.
        let sibling = [
            made("apool-1", "at-a"),
            deleted("/api/v2/authentication-tokens/at-z", 204),
        ];
        assert!(!holder_deleted(&sibling, "at-a"));
    }
}

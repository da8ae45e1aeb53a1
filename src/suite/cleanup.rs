//! What the run created and how each thing goes: the cleanup log, the deletions right after
//! each trial, the cleanup at the end of the run, and the sweep for what the run made without
//! learning of it. A family says what it makes and how each is deleted (`Kind`), and how to
//! find what carries the run's tag (`Family::sweep`); nothing here knows a family by name.

use std::{
    collections::HashSet,
    hash::{Hash, Hasher},
    sync::{Arc, Mutex},
};

use futures::StreamExt;

use super::{Boxed, RunContext, Session, family::Sweep, fixtures};
use crate::{
    client::{Auth, Journal, Recorder, Transport},
    exchange::Exchange,
};

/// How many deletions the cleanup has under way at once.
const CLEANUP_CONCURRENCY: usize = 8;

/// The step under which the sweep records its requests.
pub const SWEEP: &str = "cleanup: what carries the run's tag";

/// A kind of thing a trial may create, and how it is deleted.
#[derive(Debug)]
pub struct Kind {
    /// In words, for a line naming what was left behind (`team token`).
    pub what: &'static str,
    pub removal: Removal,
    /// Only the user may delete it (a user token, ref §5): never the run's set-up token.
    pub users_own: bool,
}

/// How something the run created is deleted.
#[derive(Clone, Copy, Debug)]
pub enum Removal {
    /// By the spec's operation `operation`, whose one path parameter `param` is the id.
    ById {
        operation: &'static str,
        param: &'static str,
        stage: Stage,
    },
    /// Only at the end of the run, by the family that made it: given every id of the kind the
    /// run made, it deletes what is still there and returns what it could not.
    Settle(Settle),
}

/// See `Removal::Settle`.
pub type Settle = fn(Session, Vec<String>) -> Boxed<Vec<String>>;

/// Deletions by id go in two stages: tokens first, then what holds tokens (teams, agent
/// pools), so that none is left should a server keep the tokens of a deleted holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Token,
    Holder,
}

impl Kind {
    /// A kind deleted by the spec's operation `operation`, whose one path parameter `param` is
    /// the id.
    pub const fn by_id(
        what: &'static str,
        operation: &'static str,
        param: &'static str,
        stage: Stage,
    ) -> Kind {
        Kind {
            what,
            removal: Removal::ById {
                operation,
                param,
                stage,
            },
            users_own: false,
        }
    }

    /// The same kind, deleted only with the user's own token.
    pub const fn users_own(self) -> Kind {
        Kind {
            users_own: true,
            ..self
        }
    }

    /// The thing of this kind with id `id`.
    pub fn made(&'static self, id: impl Into<String>) -> Created {
        Created {
            kind: self,
            id: id.into(),
        }
    }
}

/// Something the run created on the target, to delete.
#[derive(Clone, Debug)]
pub struct Created {
    pub kind: &'static Kind,
    pub id: String,
}

impl PartialEq for Created {
    fn eq(&self, other: &Self) -> bool {
        self.kind.what == other.kind.what && self.id == other.id
    }
}

impl Eq for Created {}

impl Hash for Created {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.what.hash(state);
        self.id.hash(state);
    }
}

impl Created {
    /// Whether `ex` is the request that deletes it by id (whatever it was answered).
    pub(super) fn removed_by(&self, ex: &Exchange) -> bool {
        let Some((operation, _, _)) = self.by_id() else {
            return false;
        };
        let path = ex.request.path.split('?').next().unwrap_or_default();
        ex.request.method == http::Method::DELETE
            && ex.operation == operation
            && path.rsplit('/').next() == Some(self.id.as_str())
    }

    /// Whether it is deleted with the tokens, before what holds tokens.
    pub(super) fn is_token(&self) -> bool {
        matches!(self.by_id(), Some((_, _, Stage::Token)))
    }

    fn by_id(&self) -> Option<(&'static str, &'static str, Stage)> {
        match self.kind.removal {
            Removal::ById {
                operation,
                param,
                stage,
            } => Some((operation, param, stage)),
            Removal::Settle(_) => None,
        }
    }
}

/// Everything the run created and has not deleted yet; and what the final sweep could not
/// list.
#[derive(Default)]
pub(super) struct CleanupLog {
    created: Mutex<HashSet<Created>>,
    sweeping: Mutex<Sweeping>,
    /// The kinds (in words) the run's set-up token has deleted something of.
    setup_token_deletes: Mutex<HashSet<&'static str>>,
}

/// What the final sweep learned of its lists so far.
#[derive(Default)]
struct Sweeping {
    /// Every list the sweep asked for, by the kind it lists, and whether it could read the
    /// answer (`None`: the answer did not come, or came garbled; a status otherwise).
    lists: Vec<(&'static str, Result<(), Option<u16>>)>,
    /// The parts of the sweep (`sweep_parts`) that are over.
    done: Vec<&'static str>,
    /// The kinds of object the sweep could not list (in words), in the order met.
    unlisted: Vec<String>,
}

impl CleanupLog {
    pub(super) fn remember(&self, created: Created) {
        self.lock().insert(created);
    }

    pub(super) fn forget(&self, created: &Created) {
        self.lock().remove(created);
    }

    /// Whether the set-up token has deleted something of kind `what`: it may, so its 404
    /// for one of them says the thing is gone.
    fn deletes_by_setup_token(&self, what: &str) -> bool {
        self.setup_token_deletes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(what)
    }

    fn setup_token_deleted(&self, what: &'static str) {
        self.setup_token_deletes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(what);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Created>> {
        self.created.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sweeping(&self) -> std::sync::MutexGuard<'_, Sweeping> {
        self.sweeping.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn unlisted(&self, what: &str) {
        let mut sweeping = self.sweeping();
        if !sweeping.unlisted.iter().any(|u| u == what) {
            sweeping.unlisted.push(what.to_string());
        }
    }
}

impl RunContext {
    /// The kinds of object the final sweep could not list (no answer, a garbled one, a
    /// refusal): the run may have left some of them, unnamed. Empty when every list was read.
    pub fn unlisted(&self) -> Vec<String> {
        self.created.sweeping().unlisted.clone()
    }

    /// The whole sweep could not be done (no connection, or no time left): every kind it looks
    /// for and has not listed yet is unlisted.
    pub fn sweep_not_done(&self) {
        let done = self.created.sweeping().done.clone();
        for (what, _, _) in self.sweep_parts() {
            if !done.contains(&what) {
                self.created.unlisted(what);
            }
        }
    }

    /// The parts of the sweep: each with the kind it looks for (in words) and whether the
    /// organization may lack it (then a 404 for its list says there is none).
    fn sweep_parts(&self) -> Vec<(&'static str, Option<&'static super::Entitlement>, Sweep)> {
        let mut parts: Vec<(&'static str, Option<&'static super::Entitlement>, Sweep)> =
            vec![("team", None, fixtures::sweep_teams)];
        for family in self.families() {
            if let Some(sweep) = family.sweep.filter(|_| family.applies_to(self.profile)) {
                parts.push((family.name, family.entitlement, sweep));
            }
        }
        parts
    }
}

impl RunContext {
    /// Deletes everything the run created and still exists, through `transport`; returns what
    /// could not be deleted. `interrupted`: trials may still be finishing and recording what
    /// they created, so look again a few times.
    pub async fn cleanup(
        self: &Arc<Self>,
        transport: &Arc<Transport>,
        interrupted: bool,
    ) -> Vec<String> {
        let mut leftovers = Vec::new();
        let rounds = if interrupted { 3 } else { 1 };
        for round in 0..rounds {
            if round > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let pending: Vec<Created> = std::mem::take(&mut *self.created.lock())
                .into_iter()
                .collect();
            if pending.is_empty() {
                break;
            }
            leftovers.extend(self.delete_all(transport, pending).await);
        }
        leftovers.extend(self.delete_setup_token(transport).await);
        leftovers.extend(self.sweep(transport).await);
        leftovers
    }

    /// Deletes the run's set-up tokens, last of what the run made by id; names each that
    /// stays (the sweep of the owners team's tokens by the run's tag looks for it again).
    async fn delete_setup_token(&self, transport: &Arc<Transport>) -> Vec<String> {
        let Some(token) = self.setup_token() else {
            return Vec::new();
        };
        let mut leftovers = Vec::new();
        for id in token.ids() {
            let journal = Journal::default();
            journal.set_step("cleanup: the run's set-up token");
            let op = self.spec.op("deleteAuthenticationToken");
            Recorder {
                transport: transport.clone(),
                auth: Auth::Bearer(self.owner.clone()),
                journal: journal.clone(),
                patient: true,
            }
            .raw(op, op.path_with(&[("token_id", id)]))
            .send()
            .await;
            let gone = matches!(journal.last().and_then(|e| e.status()), Some(204 | 404));
            self.housekeeping(journal.take());
            if !gone {
                leftovers.push(format!("team token {id} (the run's set-up token)"));
            }
        }
        leftovers
    }

    /// Right after a trial: deletes what it created by id (not what only its family settles,
    /// at the end, under its lock), several at once. What cannot be deleted now stays for the
    /// run's cleanup, which tries again and reports it. Returns the exchanges.
    pub async fn release(&self, created: Vec<Created>) -> Vec<Exchange> {
        let still: Vec<Created> = {
            let set = self.created.lock();
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

    /// Finds what the run may have made without learning of it (a create whose answer came
    /// garbled or too late), by the run's tag in names and descriptions, and deletes it;
    /// returns what could not be deleted. Only what carries this run's tag is touched:
    /// nothing of another run or of anyone else. A list the sweep could not read (no answer,
    /// a garbled one, a refusal) leaves its kind unlisted (`unlisted`), except a 404 for what
    /// the organization may lack: then there is none.
    async fn sweep(self: &Arc<Self>, transport: &Arc<Transport>) -> Vec<String> {
        let mut leftovers = Vec::new();
        for (what, entitlement, sweep) in self.sweep_parts() {
            let s = Session::on(self.clone(), transport.clone());
            let before = self.created.sweeping().lists.len();
            leftovers.extend(sweep(s.clone()).await);
            let exchanges = s.take_exchanges();
            let lists: Vec<_> = self.created.sweeping().lists[before..].to_vec();
            let unread = |status: Option<u16>| !(entitlement.is_some() && status == Some(404));
            if lists.is_empty() {
                // The part stopped before any list (the request it needed first failed).
                if let Some(failed) = exchanges.iter().find(|ex| !readable(ex))
                    && unread(failed.status())
                {
                    self.created.unlisted(what);
                }
            }
            for (listed, read) in lists {
                if let Err(status) = read
                    && unread(status)
                {
                    self.created.unlisted(listed);
                }
            }
            self.housekeeping(exchanges);
            self.created.sweeping().done.push(what);
        }
        leftovers
    }

    async fn delete_all(
        self: &Arc<Self>,
        transport: &Arc<Transport>,
        pending: Vec<Created>,
    ) -> Vec<String> {
        let mut leftovers = Vec::new();
        // What only its family can settle goes first, kind by kind.
        let (by_id, mut settled): (Vec<Created>, Vec<Created>) =
            pending.into_iter().partition(|c| c.by_id().is_some());
        settled.sort_by(|a, b| (a.kind.what, &a.id).cmp(&(b.kind.what, &b.id)));
        let mut kinds: Vec<&'static Kind> = settled.iter().map(|c| c.kind).collect();
        kinds.dedup_by_key(|k| k.what);
        for kind in kinds {
            let Removal::Settle(settle) = kind.removal else {
                continue;
            };
            let ids = settled
                .iter()
                .filter(|c| c.kind.what == kind.what)
                .map(|c| c.id.clone())
                .collect();
            let s = Session::on(self.clone(), transport.clone());
            leftovers.extend(settle(s.clone(), ids).await);
            self.housekeeping(s.take_exchanges());
        }
        // Everything else: several deletions at once.
        for (created, exchanges, gone) in self.delete_by_id(transport, by_id).await {
            self.housekeeping(exchanges);
            if !gone {
                leftovers.push(format!("{} {}", created.kind.what, created.id));
            }
        }
        leftovers
    }

    /// Deletes the things among `items` that go by id, several at once, each with its own
    /// journal: each with its exchanges and whether it is gone (deleted now, or already).
    /// Tokens go first, then what holds tokens.
    async fn delete_by_id(
        &self,
        transport: &Arc<Transport>,
        items: Vec<Created>,
    ) -> Vec<(Created, Vec<Exchange>, bool)> {
        let (tokens, holders): (Vec<Created>, Vec<Created>) = items
            .into_iter()
            .filter(|c| c.by_id().is_some())
            .partition(|c| matches!(c.by_id(), Some((_, _, Stage::Token))));
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
        if let Some((operation, param, _)) = created.by_id() {
            let op = self.spec.op(operation);
            let send = |secret: &crate::redact::Secret| {
                Recorder {
                    transport: transport.clone(),
                    auth: Auth::Bearer(secret.clone()),
                    journal: journal.clone(),
                    patient: true,
                }
                .raw(op, op.path_with(&[(param, &created.id)]))
                .send()
            };
            // The set-up token first where it may. Anything but 204 from it, and the user's
            // token asks again: a 404 may be its want of rights (ref §5: forbidden is 404),
            // until it has deleted something of the kind; then a 404 means gone.
            let setup = self.setup_token().filter(|_| !created.kind.users_own);
            let settled = match setup {
                Some(token) => {
                    let status = send(token.next()).await.status();
                    let proven = self.created.deletes_by_setup_token(created.kind.what);
                    if status == Some(204) {
                        self.created.setup_token_deleted(created.kind.what);
                    }
                    status == Some(204) || proven && status == Some(404)
                }
                None => false,
            };
            if !settled {
                send(&self.owner).await;
            }
        }
        let gone = matches!(journal.last().and_then(|e| e.status()), Some(204 | 404));
        (created, journal.take(), gone)
    }
}

/// The `(id, label)` of every item of the list `ex` answered whose attribute `member` carries
/// the run's tag.
fn tagged(s: &Session, ex: &Exchange, member: &str) -> Vec<(String, String)> {
    let tag = format!("-{}-", s.ctx().run_tag);
    let items = ex
        .json()
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
}

/// Deletes, as the sweep, every item of the list `ex` answered whose attribute `member`
/// carries the run's tag (things of kind `kind`); names those that could not be deleted.
pub async fn sweep_listed(
    s: &Session,
    ex: &Exchange,
    member: &str,
    kind: &'static Kind,
) -> Vec<String> {
    let read = if readable(ex) {
        Ok(())
    } else {
        Err(ex.status())
    };
    s.ctx().created.sweeping().lists.push((kind.what, read));
    sweep_away(s, kind, tagged(s, ex, member)).await
}

/// Whether the sweep can read what `ex` answered: a success whose body is a JSON document
/// with a `data` member.
fn readable(ex: &Exchange) -> bool {
    matches!(ex.status(), Some(200..=299)) && ex.json().is_some_and(|d| d.get("data").is_some())
}

/// Deletes each of `items` (`(id, label)`, of kind `kind`) as the sweep; names those that
/// could not be deleted.
async fn sweep_away(s: &Session, kind: &'static Kind, items: Vec<(String, String)>) -> Vec<String> {
    let Removal::ById {
        operation, param, ..
    } = kind.removal
    else {
        return Vec::new();
    };
    let mut left = Vec::new();
    for (id, label) in items {
        let ex = s
            .raw(SWEEP, s.as_owner(), operation, &[(param, &id)])
            .send()
            .await;
        if !matches!(ex.status(), Some(204 | 404)) {
            left.push(format!("{} {label} ({id})", kind.what));
        }
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    static TOKEN: Kind = Kind::by_id(
        "team token",
        "deleteAuthenticationToken",
        "token_id",
        Stage::Token,
    );

    fn delete(operation: &'static str, path: &str) -> Exchange {
        let mut ex = Exchange::canned(operation, path, 204, "");
        ex.request.method = http::Method::DELETE;
        ex
    }

    #[test]
    fn only_the_deletion_by_its_own_id_removes_a_thing() {
        let made = TOKEN.made("at-123");
        let path = "/api/v2/authentication-tokens/at-123";
        assert!(made.removed_by(&delete("deleteAuthenticationToken", path)));
        assert!(!made.removed_by(&delete(
            "deleteAuthenticationToken",
            "/api/v2/authentication-tokens/at-1234"
        )));
        assert!(!made.removed_by(&delete("deleteTeam", "/api/v2/teams/at-123")));
        let read = Exchange::canned("deleteAuthenticationToken", path, 204, "");
        assert!(!made.removed_by(&read), "a GET deletes nothing");
    }
}

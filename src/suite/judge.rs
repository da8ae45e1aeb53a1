//! The whole-run judge: the rules every exchange must keep (`conformance::RULES`) judge each
//! trial's exchanges as the trial ends, on a thread of their own, and the whole-run checks
//! gather what they found once every other trial has finished.

use std::{
    collections::HashMap,
    sync::{
        Arc, Condvar, Mutex, OnceLock,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use super::conformance::RULES;
use crate::{checks::Finding, exchange::Exchange, spec::Spec};

/// How many finished trials wake the judge thread.
const JUDGE_BATCH: usize = 16;

/// A finished trial whose response bodies add up to more than this wakes the judge at once.
const HEAVY_BYTES: usize = 8 * 1024 * 1024;

pub(super) struct Judge {
    spec: &'static Spec,
    /// What the whole-run rules found in the exchanges of every finished trial, by rule.
    judged: Mutex<HashMap<&'static str, Vec<Finding>>>,
    /// Whether whole-run checks are to run (then trials are judged as they end).
    judging: AtomicBool,
    /// Where finished trials wait for the judge thread, when it runs.
    queue: OnceLock<Arc<Queue>>,
    /// How many trials (other than whole-run ones) the run conducts, and how many finished.
    expected: AtomicUsize,
    finished: AtomicUsize,
    /// How many trials (other than whole-run ones) are still to finish.
    pending: tokio::sync::watch::Sender<usize>,
}

/// Finished trials waiting for the judge thread.
#[derive(Default)]
struct Queue {
    trials: Mutex<Vec<Arc<Vec<Exchange>>>>,
    ready: Condvar,
}

impl Judge {
    pub(super) fn new(spec: &'static Spec) -> Self {
        Self {
            spec,
            judged: Mutex::new(HashMap::new()),
            judging: AtomicBool::new(false),
            queue: OnceLock::new(),
            expected: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            pending: tokio::sync::watch::Sender::new(0),
        }
    }

    /// How many trials will finish before the whole-run checks may judge.
    pub(super) fn expect(&self, count: usize) {
        self.expected.store(count, Ordering::SeqCst);
        self.pending.send_replace(count);
    }

    /// Whole-run checks are to run: judge every trial's exchanges as it ends, on a thread of
    /// its own. Without that thread (it could not start), trials are judged as they end.
    pub(super) fn start(self: &Arc<Self>) {
        let queue = Arc::new(Queue::default());
        let (judge, waiting) = (self.clone(), queue.clone());
        let started = std::thread::Builder::new()
            .name("tfe-contract-judge".into())
            .spawn(move || judge.batches(&waiting));
        if started.is_ok() {
            let _ = self.queue.set(queue);
        }
        self.judging.store(true, Ordering::SeqCst);
    }

    /// A trial finished (or was ignored): the whole-run rules judge its exchanges now, while
    /// other trials wait on the network, rather than all at the end. They do it on the judge
    /// thread, off the runtime's one worker (the reference server and the judge share the
    /// other core), woken once per `JUDGE_BATCH` trials and for the last one: waking a thread
    /// costs about 10 µs of the waker's time on the benchmark machine, as much as judging
    /// one trial (measured: a wake per trial took 4 % of the worker's time).
    pub(super) fn trial_finished(&self, exchanges: Arc<Vec<Exchange>>) {
        if !self.judging.load(Ordering::SeqCst) {
            self.pending.send_modify(|n| *n = n.saturating_sub(1));
            return;
        }
        let Some(queue) = self.queue.get() else {
            self.judge_one(&exchanges);
            self.pending.send_modify(|n| *n = n.saturating_sub(1));
            return;
        };
        // Big bodies are judged at once, so that they are not held while a batch fills.
        let heavy = exchanges.iter().map(Exchange::body_bytes).sum::<usize>() > HEAVY_BYTES;
        let queued = {
            let mut trials = queue.trials.lock().unwrap_or_else(|e| e.into_inner());
            trials.push(exchanges);
            trials.len()
        };
        let finished = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        if heavy || queued >= JUDGE_BATCH || finished >= self.expected.load(Ordering::SeqCst) {
            queue.ready.notify_one();
        }
    }

    /// The judge thread: judges what is queued, batch by batch, until every trial is judged.
    fn batches(&self, queue: &Queue) {
        while *self.pending.borrow() > 0 {
            let batch = {
                let mut trials = queue.trials.lock().unwrap_or_else(|e| e.into_inner());
                while trials.is_empty() {
                    trials = queue.ready.wait(trials).unwrap_or_else(|e| e.into_inner());
                }
                std::mem::take(&mut *trials)
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
        let found: Vec<(&'static str, Vec<Finding>)> = RULES
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
    pub(super) async fn judged(&self, name: &str) -> Vec<Finding> {
        let mut done = self.pending.subscribe();
        let _ = done.wait_for(|n| *n == 0).await;
        self.judged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)
            .unwrap_or_default()
    }
}

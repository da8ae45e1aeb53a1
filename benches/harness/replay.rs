//! The floor: the run's requests replayed by a bare client that checks nothing, against a
//! fresh server, with the same parallelism.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use futures::StreamExt;
use tfe_contract::{exchange::Exchange, record::RunReport, redact::Secret};

use crate::runs::reference;

/// The run's requests, grouped as they were sent: the probe, one sequence per trial (and the
/// tour), and the cleanup; each trial sequence marked when it had the organization token to
/// itself.
pub(crate) struct Traffic {
    pub(crate) probe: Vec<Exchange>,
    /// Held the organization token, its exchanges, then the deletions of what it created.
    pub(crate) trials: Vec<(bool, Vec<Exchange>, Vec<Exchange>)>,
    pub(crate) cleanup: Vec<Exchange>,
}

impl Traffic {
    pub(crate) fn of(report: &RunReport) -> Self {
        let (probe, cleanup): (Vec<Exchange>, Vec<Exchange>) = report
            .housekeeping
            .iter()
            .cloned()
            .partition(|e| e.step == "probe");
        let mut trials: Vec<(bool, Vec<Exchange>, Vec<Exchange>)> = report
            .trials
            .iter()
            .filter(|t| !t.exchanges.is_empty())
            .map(|t| (t.exclusive, t.exchanges.to_vec(), t.released.clone()))
            .collect();
        // The tour changes the organization token, under the same lock.
        trials.push((true, report.tour.clone(), Vec::new()));
        // In the order the harness started them.
        trials.sort_by_key(|(_, s, _)| s.first().map(|e| e.started));
        Self {
            probe,
            trials,
            cleanup,
        }
    }

    pub(crate) fn all(&self) -> Vec<&Exchange> {
        self.probe
            .iter()
            .chain(self.trials.iter().flat_map(|(_, s, r)| s.iter().chain(r)))
            .chain(&self.cleanup)
            .collect()
    }
}

/// The same requests, sent by a bare client that reads each answer and checks nothing: the
/// probe, then the trial sequences with as many in flight as the harness ran trials (those
/// that had the organization token to themselves one at a time, as in the harness: run side
/// by side they would race on the server's state), then the cleanup with the harness's
/// concurrency; to a fresh server with the same owner token. Like any client of this API, it
/// carries forward the ids and secrets the server hands out: a recorded id or secret in a
/// later request is replaced by the one this server minted in its place. One sequence at a
/// time it sends every request in the order the run did. Returns the time taken and how many
/// answers had the status the run got.
pub(crate) fn replay(
    traffic: &Traffic,
    threads: usize,
    owner: &Secret,
) -> (Duration, (usize, usize)) {
    let handle = reference(owner);
    // The same runtime shape as the harness's.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client {
        http: reqwest::Client::builder().build().expect("client"),
        base: handle.url().into(),
        minted: Arc::default(),
        same: Arc::default(),
    };
    let total = traffic.all().len();
    let started = Instant::now();
    if threads == 1 {
        let mut all: Vec<Exchange> = traffic.all().into_iter().cloned().collect();
        all.sort_by_key(|e| e.started);
        let client = client.clone();
        let work = runtime.spawn(async move {
            for ex in all {
                client.send(ex).await;
            }
        });
        let _ = runtime.block_on(work);
    } else {
        let (probe, trials, cleanup) = (
            traffic.probe.clone(),
            traffic.trials.clone(),
            traffic.cleanup.clone(),
        );
        let client = client.clone();
        let work = runtime.spawn(async move {
            for ex in probe {
                client.send(ex).await;
            }
            // In the order the trials ran (the queue is taken from its end).
            let mut order = trials.clone();
            order.reverse();
            let queue = Arc::new(std::sync::Mutex::new(order));
            let exclusive = Arc::new(tokio::sync::Mutex::new(()));
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (queue, exclusive, client) =
                        (queue.clone(), exclusive.clone(), client.clone());
                    tokio::spawn(async move {
                        loop {
                            let Some((alone, sequence, released)) = queue.lock().unwrap().pop()
                            else {
                                break;
                            };
                            let guard = if alone {
                                Some(exclusive.lock().await)
                            } else {
                                None
                            };
                            for ex in sequence {
                                client.send(ex).await;
                            }
                            // As in the harness: the lock goes, then the trial's deletions,
                            // several at once.
                            drop(guard);
                            let client = &client;
                            futures::stream::iter(released.into_iter().map(|ex| client.send(ex)))
                                .buffer_unordered(8)
                                .collect::<Vec<()>>()
                                .await;
                        }
                    })
                })
                .collect();
            for w in workers {
                let _ = w.await;
            }
            let client = &client;
            futures::stream::iter(cleanup.into_iter().map(|ex| client.send(ex)))
                .buffer_unordered(8)
                .collect::<Vec<()>>()
                .await;
        });
        let _ = runtime.block_on(work);
    }
    let same = client.same.load(std::sync::atomic::Ordering::Relaxed);
    (started.elapsed(), (same, total))
}

/// The bare client: sends recorded requests, reads each answer whole, checks nothing; maps the
/// ids and secrets of the recording to those this server mints.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    minted: Arc<std::sync::Mutex<HashMap<String, String>>>,
    same: Arc<std::sync::atomic::AtomicUsize>,
}

impl Client {
    fn carried(&self, value: &str) -> Option<String> {
        self.minted.lock().unwrap().get(value).cloned()
    }

    async fn send(&self, ex: Exchange) {
        let path: Vec<String> = ex
            .request
            .path
            .split('/')
            .map(|segment| self.carried(segment).unwrap_or_else(|| segment.to_string()))
            .collect();
        let mut headers = (*ex.request.headers).clone();
        if let Some(secret) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|v| self.carried(v))
            && let Ok(value) = http::HeaderValue::from_str(&format!("Bearer {secret}"))
        {
            headers.insert(http::header::AUTHORIZATION, value);
        }
        let mut request = self
            .http
            .request(
                ex.request.method.clone(),
                format!("{}{}", self.base, path.join("/")),
            )
            .headers(headers);
        if let Some(body) = &ex.request.body {
            let mut text = String::from_utf8_lossy(body).into_owned();
            if text.contains("\"id\"") {
                for (recorded, now) in self.minted.lock().unwrap().iter() {
                    text = text.replace(recorded.as_str(), now);
                }
            }
            request = request.body(text);
        }
        let Ok(response) = request.send().await else {
            return;
        };
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap_or_default();
        if ex.status() == Some(status) {
            self.same.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        // What this server minted in place of what the run's server did.
        if let (Some(recorded), Ok(now)) = (
            ex.json(),
            serde_json::from_slice::<serde_json::Value>(&body),
        ) {
            let mut minted = self.minted.lock().unwrap();
            for pointer in ["/data/id", "/data/attributes/token"] {
                if let (Some(a), Some(b)) = (
                    recorded.pointer(pointer).and_then(|v| v.as_str()),
                    now.pointer(pointer).and_then(|v| v.as_str()),
                ) && a != b
                {
                    minted.insert(a.to_string(), b.to_string());
                }
            }
        }
    }
}

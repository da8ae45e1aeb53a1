//! Finding and shrinking. A question's cases are drawn from a proptest strategy with the
//! trial's own seed and asked of the target one by one (awaited, not blocked on: trials share
//! the runtime's worker). A case that breaks the contract is shrunk with the strategy's value
//! tree, as proptest's own runner does (simplify while it still breaks, complicate when it
//! no longer does), to the smallest case that still breaks it; that case's findings are
//! recorded with the numbered requests that show it and the seed that replays it. Value
//! trees are not `Send` and a trial's future must be: the strategy and its trees live on a
//! thread of their own (`Drawer`), which the trial asks for values.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
        mpsc,
    },
};

use proptest::{
    strategy::{Strategy, ValueTree},
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};

use super::Drawn;
use crate::{
    checks::{CasePath, DrawnCase, Finding},
    exchange::Exchange,
    redact,
    suite::{Session, Stop},
};

/// How many smaller cases a shrink tries at the most (each is sent to the target).
const MAX_SHRINKS: u32 = 48;

/// How many of the smallest case's requests a finding lists.
const REQUESTS_SHOWN: usize = 40;

/// What one case came to.
struct Attempt {
    findings: Vec<Finding>,
    exchanges: Vec<Exchange>,
}

impl Attempt {
    /// A step the case only depends on failed (a team could not be made, a 429 outlasted the
    /// run): nothing about the question itself was learned.
    fn setup_failed(&self) -> bool {
        self.findings
            .iter()
            .any(|f| matches!(f.rule, "setup" | "rate-limit" | "transport"))
    }

    fn breaks(&self) -> bool {
        !self.findings.is_empty() && !self.setup_failed()
    }
}

/// Asks `trial`'s question of the target with as many cases as the run's budget allows, times
/// `scale` (more for a question whose case costs a request or two, one for a sequence):
/// `strategy` makes what draws the cases, `case` runs one (on a session of its own whose
/// findings say whether it broke the contract), `describe` says in words what a case was.
/// The first case that breaks the contract is shrunk and recorded, and the trial stops.
/// Under `tfe-contract replay` it asks only the case the recorded run found (see `replay`).
pub async fn explore<S, F, Fut>(
    s: &Session,
    trial: &str,
    scale: u32,
    strategy: impl FnOnce() -> S + Send + 'static,
    describe: impl Fn(&S::Value) -> String,
    case: F,
) -> Result<(), Stop>
where
    S: Strategy,
    S::Value: Clone + Send + 'static,
    F: FnMut(Session, S::Value) -> Fut,
    Fut: Future<Output = Result<(), Stop>>,
{
    search(s, trial, scale, strategy, describe, case, |_| None).await
}

/// `explore` for sequences drawn by proptest-state-machine: its first simplification of a
/// case drops the steps after the last one the case ran, which the case counts in its value;
/// a replay must tell the rebuilt case that count before shrinking it the same way.
pub async fn explore_drawn<S, St, Tr, F, Fut>(
    s: &Session,
    trial: &str,
    scale: u32,
    strategy: impl FnOnce() -> S + Send + 'static,
    describe: impl Fn(&Drawn<St, Tr>) -> String,
    case: F,
) -> Result<(), Stop>
where
    S: Strategy<Value = Drawn<St, Tr>>,
    St: Clone + Send + 'static,
    Tr: Clone + Send + 'static,
    F: FnMut(Session, Drawn<St, Tr>) -> Fut,
    Fut: Future<Output = Result<(), Stop>>,
{
    search(s, trial, scale, strategy, describe, case, |drawn| {
        drawn.2.clone()
    })
    .await
}

/// `explore`, with `seen`: where a case counts the steps it ran, if it does.
async fn search<S, F, Fut>(
    s: &Session,
    trial: &str,
    scale: u32,
    strategy: impl FnOnce() -> S + Send + 'static,
    describe: impl Fn(&S::Value) -> String,
    mut case: F,
    seen: impl Fn(&S::Value) -> Option<Arc<AtomicUsize>>,
) -> Result<(), Stop>
where
    S: Strategy,
    S::Value: Clone + Send + 'static,
    F: FnMut(Session, S::Value) -> Fut,
    Fut: Future<Output = Result<(), Stop>>,
{
    let settings = s.ctx().exploration;
    let drawer = Drawer::start(strategy, settings.seed_for(trial));
    if let Some(replay) = settings.replay.filter(|r| r.trial == trial) {
        return replay_case(s, trial, &drawer, &replay.path, describe, case, seen).await;
    }
    for draw in 1..=settings.budget.saturating_mul(scale) {
        let Some(value) = drawer.ask(Ask::Draw).await else {
            panic!("{trial}: no case could be drawn");
        };
        let first = attempt(s, &mut case, value.clone()).await;
        if first.setup_failed() {
            s.check(first.findings);
            return Err(Stop);
        }
        if !first.breaks() {
            continue;
        }
        // Said in words at once: a sequence's value says how far it ran only until the next
        // case runs.
        let (mut smallest, mut smallest_case) = (first, describe(&value));
        let ran = seen(&value).map(|n| n.load(Ordering::SeqCst) as u64);
        let (mut moves, mut smallest_moves) = (String::new(), String::new());
        let mut tries = 0;
        moves.push('s');
        let mut next = drawer.ask(Ask::Simplify).await;
        while let Some(value) = next {
            if tries == MAX_SHRINKS {
                break;
            }
            tries += 1;
            let outcome = attempt(s, &mut case, value.clone()).await;
            next = if outcome.breaks() {
                (smallest, smallest_case) = (outcome, describe(&value));
                smallest_moves.clone_from(&moves);
                moves.push('s');
                drawer.ask(Ask::Simplify).await
            } else {
                moves.push('c');
                drawer.ask(Ask::Complicate).await
            };
        }
        let shown = Shown {
            case: smallest_case,
            tries,
            seed: settings.seed,
            budget: settings.budget,
            trial,
            path: CasePath {
                draw,
                moves: smallest_moves,
                ran,
            },
        };
        s.check(
            smallest
                .findings
                .into_iter()
                .map(|f| shown.attach(f, &smallest.exchanges)),
        );
        return Err(Stop);
    }
    Ok(())
}

/// `tfe-contract replay`: rebuilds the case `path` names from the trial's seed (draws what
/// the recorded run drew, without asking them, then shrinks as it did) and asks only it.
async fn replay_case<T, F, Fut>(
    s: &Session,
    trial: &str,
    drawer: &Drawer<T>,
    path: &CasePath,
    describe: impl Fn(&T) -> String,
    mut case: F,
    seen: impl Fn(&T) -> Option<Arc<AtomicUsize>>,
) -> Result<(), Stop>
where
    T: Clone + Send + 'static,
    F: FnMut(Session, T) -> Fut,
    Fut: Future<Output = Result<(), Stop>>,
{
    let lost = || panic!("{trial}: the recorded case cannot be drawn again from its seed");
    let mut value = None;
    for _ in 0..path.draw.max(1) {
        value = drawer.ask(Ask::Draw).await;
    }
    let Some(mut value) = value else { lost() };
    if let (Some(ran), Some(counter)) = (path.ran, seen(&value)) {
        counter.store(usize::try_from(ran).unwrap_or(usize::MAX), Ordering::SeqCst);
    }
    for step in path.moves.chars() {
        let ask = if step == 'c' {
            Ask::Complicate
        } else {
            Ask::Simplify
        };
        if let Some(next) = drawer.ask(ask).await {
            value = next;
        }
    }
    let outcome = attempt(s, &mut case, value.clone()).await;
    if outcome.setup_failed() || !outcome.breaks() {
        s.check(outcome.findings);
        return if s.findings().is_empty() {
            Ok(())
        } else {
            Err(Stop)
        };
    }
    let settings = s.ctx().exploration;
    let shown = Shown {
        case: describe(&value),
        tries: 0,
        seed: settings.seed,
        budget: settings.budget,
        trial,
        path: path.clone(),
    };
    s.check(
        outcome
            .findings
            .into_iter()
            .map(|f| shown.attach(f, &outcome.exchanges)),
    );
    Err(Stop)
}

/// What the trial asks of its drawer.
enum Ask {
    /// A new case.
    Draw,
    /// The current case, made simpler (none: it cannot be).
    Simplify,
    /// Back toward the last case that broke the contract (none: no further).
    Complicate,
}

/// The thread that holds a question's strategy and the tree of its current case.
struct Drawer<T> {
    asks: mpsc::Sender<(Ask, tokio::sync::oneshot::Sender<Option<T>>)>,
}

impl<T: Send + 'static> Drawer<T> {
    fn start<S>(strategy: impl FnOnce() -> S + Send + 'static, seed: [u8; 32]) -> Self
    where
        S: Strategy<Value = T>,
    {
        let (asks, asked) = mpsc::channel::<(Ask, tokio::sync::oneshot::Sender<Option<T>>)>();
        std::thread::Builder::new()
            .name("tfe-contract-drawer".into())
            .spawn(move || {
                let strategy = strategy();
                let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
                let mut runner = TestRunner::new_with_rng(Config::default(), rng);
                let mut tree: Option<S::Tree> = None;
                // Ends when the trial is done with it (its sender dropped).
                while let Ok((ask, reply)) = asked.recv() {
                    let value = match ask {
                        Ask::Draw => {
                            tree = strategy.new_tree(&mut runner).ok();
                            tree.as_ref().map(ValueTree::current)
                        }
                        Ask::Simplify => tree
                            .as_mut()
                            .and_then(|t| t.simplify().then(|| t.current())),
                        Ask::Complicate => tree
                            .as_mut()
                            .and_then(|t| t.complicate().then(|| t.current())),
                    };
                    let _ = reply.send(value);
                }
            })
            .expect("a thread for the exploration's drawer");
        Drawer { asks }
    }

    async fn ask(&self, ask: Ask) -> Option<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.asks.send((ask, reply)).ok()?;
        answer.await.ok().flatten()
    }
}

/// Runs one case on a scratch session and collects what it found and sent.
async fn attempt<T, F, Fut>(s: &Session, case: &mut F, value: T) -> Attempt
where
    F: FnMut(Session, T) -> Fut,
    Fut: Future<Output = Result<(), Stop>>,
{
    let scratch = s.scratch();
    let before = s.journal_len();
    let _ = case(scratch.clone(), value).await;
    Attempt {
        findings: scratch.findings(),
        exchanges: s.exchanges_since(before),
    }
}

/// What a finding of an explored case says besides its own words: the case, how it was
/// shrunk, its requests in order, and how to draw it again.
struct Shown<'a> {
    case: String,
    tries: u32,
    seed: u64,
    budget: u32,
    trial: &'a str,
    path: CasePath,
}

impl Shown<'_> {
    fn attach(&self, mut finding: Finding, exchanges: &[Exchange]) -> Finding {
        let mut text = format!(
            "\n  the smallest case found ({} smaller tried): {}\n  its requests:",
            self.tries, self.case
        );
        for (n, ex) in exchanges.iter().take(REQUESTS_SHOWN).enumerate() {
            text.push_str(&format!("\n    {}. {}", n + 1, request_line(ex)));
        }
        if exchanges.len() > REQUESTS_SHOWN {
            text.push_str(&format!(
                "\n    ... and {} more",
                exchanges.len() - REQUESTS_SHOWN
            ));
        }
        text.push_str(&format!(
            "\n  drawn from seed {seed}: `tfe-contract run --seed {seed} --explore-budget {budget} \
             {trial} --exact` asks it again",
            seed = self.seed,
            budget = self.budget,
            trial = self.trial,
        ));
        finding.actual.push_str(&redact::text(&text));
        finding.case = Some(Arc::new(DrawnCase {
            description: redact::text(&self.case),
            requests: exchanges.iter().map(|ex| ex.id).collect(),
            path: self.path.clone(),
        }));
        finding
    }
}

/// `POST /api/v2/teams/team-1/authentication-tokens {"data":...} -> 201`.
fn request_line(ex: &Exchange) -> String {
    let body = match &ex.request.body {
        Some(body) if !body.is_empty() => format!(" {}", redact::excerpt(body, 200)),
        _ => String::new(),
    };
    let outcome = match ex.status() {
        Some(status) => status.to_string(),
        None => "no answer".to_string(),
    };
    format!(
        "{} {}{body} -> {outcome}",
        ex.request.method, ex.request.path
    )
}

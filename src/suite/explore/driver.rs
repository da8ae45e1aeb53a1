//! Finding and shrinking. A question's cases are drawn from a proptest strategy with the
//! trial's own seed and asked of the target one by one (awaited, not blocked on: trials share
//! the runtime's worker). A case that breaks the contract is shrunk with the strategy's value
//! tree, as proptest's own runner does (simplify while it still breaks, complicate when it
//! no longer does), to the smallest case that still breaks it; that case's findings are
//! recorded with the numbered requests that show it and the seed that replays it. Value
//! trees are not `Send` and a trial's future must be: the strategy and its trees live on a
//! thread of their own (`Drawer`), which the trial asks for values.

use std::{future::Future, sync::mpsc};

use proptest::{
    strategy::{Strategy, ValueTree},
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};

use crate::{
    checks::Finding,
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
pub async fn explore<S, F, Fut>(
    s: &Session,
    trial: &str,
    scale: u32,
    strategy: impl FnOnce() -> S + Send + 'static,
    describe: impl Fn(&S::Value) -> String,
    mut case: F,
) -> Result<(), Stop>
where
    S: Strategy,
    S::Value: Clone + Send + 'static,
    F: FnMut(Session, S::Value) -> Fut,
    Fut: Future<Output = Result<(), Stop>>,
{
    let settings = s.ctx().exploration;
    let drawer = Drawer::start(strategy, settings.seed_for(trial));
    for _ in 0..settings.budget.saturating_mul(scale) {
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
        let mut tries = 0;
        let mut next = drawer.ask(Ask::Simplify).await;
        while let Some(value) = next {
            if tries == MAX_SHRINKS {
                break;
            }
            tries += 1;
            let outcome = attempt(s, &mut case, value.clone()).await;
            next = if outcome.breaks() {
                (smallest, smallest_case) = (outcome, describe(&value));
                drawer.ask(Ask::Simplify).await
            } else {
                drawer.ask(Ask::Complicate).await
            };
        }
        let shown = Shown {
            case: smallest_case,
            tries,
            seed: settings.seed,
            budget: settings.budget,
            trial,
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

//! Pacing: keeping each credential's requests below the target's rate limit before they are
//! sent, as go-tfe does, so that a server enforcing TFE's limit (30 requests per second per
//! user, ref §6) seldom has to say "wait". The limit comes from `--max-rate`, else from the
//! `X-RateLimit-Limit` the target announces (on `/ping` and on any response); without either,
//! nothing is paced. Every credential (each persona's token, and no token at all) has its own
//! budget, but for the user tokens the run makes for the calling user: those share the user's
//! (`share_budget`), as TFE counts a user's requests together.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    num::NonZeroU32,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use governor::{
    DefaultDirectRateLimiter, Quota, RateLimiter,
    clock::{Clock, MonotonicClock},
};

/// The share of an announced limit the harness keeps to. go-tfe keeps to 2/3 of it, which
/// would make a rate-bound run take 1.5 times its floor; this much leaves room for the jitter
/// of the network between client and server and costs about 5 %.
pub const SHARE_OF_ANNOUNCED: f64 = 0.95;

/// The share of the announced limit a credential may send at once after a pause (a server's
/// bucket holds a second's worth; half of it absorbs requests that arrive bunched).
const BURST_SHARE: f64 = 0.5;

/// Limits the harness will not pace to: below one request a minute, or above what any server
/// could mean.
const MIN_RATE: f64 = 1.0 / 60.0;
const MAX_RATE: f64 = 1_000_000.0;

/// A rate in requests per second, as `--max-rate` takes it: `30`, `30/s`, `1800/m`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, per) = match text.split_once('/') {
        Some((n, unit)) => {
            let per = match unit.trim() {
                "s" | "sec" | "second" => 1.0,
                "m" | "min" | "minute" => 60.0,
                "h" | "hour" => 3600.0,
                other => {
                    return Err(format!(
                        "unknown unit {other:?} in rate {text:?}; use /s, /m or /h"
                    ));
                }
            };
            (n.trim(), per)
        }
        None => (text, 1.0),
    };
    let rate = number
        .parse::<f64>()
        .map_err(|_| format!("{text:?} is not a rate; write e.g. 30/s"))?
        / per;
    if !(MIN_RATE..=MAX_RATE).contains(&rate) {
        return Err(format!(
            "rate {text:?} is out of range (one a minute to a million a second)"
        ));
    }
    Ok(rate)
}

/// Where the pace comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// Nothing is known: requests go as fast as the trials send them.
    Unlimited,
    /// `--max-rate`: exactly this many requests per second per credential.
    Given(f64),
    /// The target's `X-RateLimit-Limit`; the harness keeps to `SHARE_OF_ANNOUNCED` of it.
    Announced(f64),
}

impl Pace {
    /// Requests per second per credential, if paced.
    pub fn rate(self) -> Option<f64> {
        match self {
            Pace::Unlimited => None,
            Pace::Given(r) => Some(r),
            Pace::Announced(r) => Some(r * SHARE_OF_ANNOUNCED),
        }
    }

    fn burst(self) -> u32 {
        match self {
            Pace::Unlimited => 1,
            Pace::Given(r) | Pace::Announced(r) => (r * BURST_SHARE).floor().max(1.0) as u32,
        }
    }
}

/// One budget per credential (a user token the run made for the calling user spends the
/// user's: `share_budget`), all at the same pace.
#[derive(Debug)]
pub struct Pacer {
    given: Option<f64>,
    inner: Mutex<Budgets>,
    /// Time spent waiting for a budget, over the run (microseconds).
    waited: AtomicU64,
    /// Answers that were 429, and the time spent waiting them out (microseconds).
    too_many: AtomicU64,
    waited_out: AtomicU64,
}

#[derive(Debug)]
struct Budgets {
    pace: Pace,
    limiters: HashMap<u64, Arc<DefaultDirectRateLimiter>>,
    /// Credentials that spend another's budget (`share_budget`), by `key_hash`.
    shared: HashMap<u64, u64>,
    /// Requests sent with each credential (retries included), by `key_hash`: what a server
    /// that limits each token sees of the run.
    sent: HashMap<u64, u64>,
}

/// A credential as the pacer keys it: a hash of its `Authorization` value, never the value.
fn key_hash(key: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

impl Pacer {
    /// `given` is `--max-rate`: it wins over whatever the target announces.
    pub fn new(given: Option<f64>) -> Self {
        let pace = given.map_or(Pace::Unlimited, Pace::Given);
        Self {
            given,
            inner: Mutex::new(Budgets {
                pace,
                limiters: HashMap::new(),
                shared: HashMap::new(),
                sent: HashMap::new(),
            }),
            waited: AtomicU64::new(0),
            too_many: AtomicU64::new(0),
            waited_out: AtomicU64::new(0),
        }
    }

    /// Counts a 429 answer, and the time the harness will wait before asking again.
    pub fn rate_limited(&self, wait: Duration) {
        self.too_many.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
        self.waited_out.fetch_add(micros, Ordering::Relaxed);
    }

    /// How many answers were 429, and how long the run waited them out.
    pub fn too_many_requests(&self) -> (u64, Duration) {
        (
            self.too_many.load(Ordering::Relaxed),
            Duration::from_micros(self.waited_out.load(Ordering::Relaxed)),
        )
    }

    pub fn pace(&self) -> Pace {
        self.lock().pace
    }

    /// Total time requests waited for their budget.
    pub fn waited(&self) -> Duration {
        Duration::from_micros(self.waited.load(Ordering::Relaxed))
    }

    /// Takes note of an `X-RateLimit-Limit` the target sent (requests per second). A value
    /// that is not a sane positive number is ignored: what a server sends is untrusted.
    pub fn announce(&self, header: Option<&str>) {
        if self.given.is_some() {
            return;
        }
        let Some(limit) = header
            .and_then(|h| h.trim().parse::<f64>().ok())
            .filter(|l| l.is_finite() && (MIN_RATE..=MAX_RATE).contains(l))
        else {
            return;
        };
        let mut budgets = self.lock();
        if budgets.pace != Pace::Announced(limit) {
            budgets.pace = Pace::Announced(limit);
            budgets.limiters.clear();
        }
    }

    /// How many requests each credential sent, busiest first; and how many of them `key`
    /// sent.
    pub fn sent(&self, key: &[u8]) -> (Vec<u64>, u64) {
        let budgets = self.lock();
        let mut all: Vec<u64> = budgets.sent.values().copied().collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        let own = budgets.sent.get(&key_hash(key)).copied().unwrap_or(0);
        (all, own)
    }

    /// From now on `key` spends the budget of `owner` (a credential that spends another's
    /// spends that one's): a user token the run made for the calling user, whose requests
    /// TFE counts with the user's (ref §6: "30 requests per second per user"). Requests are
    /// still counted per credential (`sent`).
    pub fn share_budget(&self, key: &[u8], owner: &[u8]) {
        let mut budgets = self.lock();
        let owner = key_hash(owner);
        let owner = budgets.shared.get(&owner).copied().unwrap_or(owner);
        let key = key_hash(key);
        if key != owner {
            budgets.shared.insert(key, owner);
        }
    }

    /// Waits until the credential `key` may send one more request, and counts it.
    pub async fn ready(&self, key: &[u8]) {
        *self.lock().sent.entry(key_hash(key)).or_default() += 1;
        let Some(limiter) = self.limiter(key) else {
            return;
        };
        let clock = MonotonicClock;
        let mut total = Duration::ZERO;
        while let Err(not_until) = limiter.check() {
            let wait = not_until.wait_time_from(clock.now());
            total += wait;
            tokio::time::sleep(wait).await;
        }
        if !total.is_zero() {
            let micros = u64::try_from(total.as_micros()).unwrap_or(u64::MAX);
            self.waited.fetch_add(micros, Ordering::Relaxed);
        }
    }

    fn limiter(&self, key: &[u8]) -> Option<Arc<DefaultDirectRateLimiter>> {
        let mut budgets = self.lock();
        let pace = budgets.pace;
        let rate = pace.rate()?;
        let budget = key_hash(key);
        let budget = budgets.shared.get(&budget).copied().unwrap_or(budget);
        let limiter = budgets.limiters.entry(budget).or_insert_with(|| {
            let period = Duration::from_secs_f64(1.0 / rate);
            let burst = NonZeroU32::new(pace.burst()).unwrap_or(NonZeroU32::MIN);
            let quota = Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
                .allow_burst(burst);
            Arc::new(RateLimiter::direct(quota))
        });
        Some(limiter.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Budgets> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_in_the_usual_units() {
        assert_eq!(parse_rate("30"), Ok(30.0));
        assert_eq!(parse_rate("30/s"), Ok(30.0));
        assert_eq!(parse_rate("1800/m"), Ok(30.0));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("30/fortnight").is_err());
    }

    #[test]
    fn the_given_rate_wins_and_nonsense_is_ignored() {
        let given = Pacer::new(Some(10.0));
        given.announce(Some("30"));
        assert_eq!(given.pace(), Pace::Given(10.0));
        let learned = Pacer::new(None);
        assert_eq!(learned.pace(), Pace::Unlimited);
        for junk in ["", "-5", "NaN", "inf", "lots", "1e300"] {
            learned.announce(Some(junk));
            assert_eq!(learned.pace(), Pace::Unlimited, "{junk}");
        }
        learned.announce(Some("30"));
        assert_eq!(learned.pace(), Pace::Announced(30.0));
        assert_eq!(learned.pace().rate(), Some(30.0 * SHARE_OF_ANNOUNCED));
    }

    #[tokio::test]
    async fn each_credential_has_its_own_budget() {
        let pacer = Pacer::new(Some(20.0));
        let start = std::time::Instant::now();
        // A burst of 10 each for two credentials goes at once; the 11th of one waits for the
        // budget to refill (50 ms at 20/s, less if the machine was slow in between).
        for _ in 0..10 {
            pacer.ready(b"a").await;
            pacer.ready(b"b").await;
        }
        assert_eq!(pacer.waited(), Duration::ZERO);
        pacer.ready(b"a").await;
        assert!(start.elapsed() >= Duration::from_millis(45));
        assert!(pacer.waited() > Duration::ZERO || start.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_users_own_tokens_share_the_users_budget_and_are_counted_apart() {
        let pacer = Pacer::new(Some(20.0));
        pacer.share_budget(b"mine", b"user");
        pacer.share_budget(b"mine too", b"mine");
        // The burst of 10 is the user's, whichever of the three tokens sends: the 10th waits.
        for key in [&b"user"[..], b"mine", b"mine too"].iter().cycle().take(9) {
            pacer.ready(key).await;
        }
        assert_eq!(pacer.waited(), Duration::ZERO);
        pacer.ready(b"other").await;
        assert_eq!(
            pacer.waited(),
            Duration::ZERO,
            "another credential has its own"
        );
        pacer.ready(b"mine too").await;
        pacer.ready(b"mine too").await;
        assert!(pacer.waited() > Duration::ZERO);
        assert_eq!(pacer.sent(b"mine too"), (vec![5, 3, 3, 1], 5));
    }
}

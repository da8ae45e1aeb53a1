//! What every family's sequences share: walking a list's pages as a client does, and saying
//! what a drawn sequence was.

use std::{
    fmt::Debug,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use crate::{
    checks::{http, list},
    exchange::Exchange,
    suite::{Session, Stop},
};

/// How many items a page holds when no page[size] is asked for (the team-token and
/// agent-token docs: 20).
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// What a drawn sequence is, as proptest-state-machine hands it: the model's first state, the
/// steps, and how many of them the case ran (so that shrinking can drop the ones after).
pub type Drawn<S, T> = (S, Vec<T>, Option<Arc<AtomicUsize>>);

/// A drawn sequence in words: the steps it ran (those after the one that broke the contract
/// never ran).
pub fn steps<S, T: Debug>(drawn: &Drawn<S, T>) -> String {
    let ran = drawn
        .2
        .as_ref()
        .map_or(drawn.1.len(), |seen| seen.load(Ordering::SeqCst));
    let steps: Vec<String> = drawn.1.iter().take(ran).map(|t| format!("{t:?}")).collect();
    format!("{} step(s): {}", steps.len(), steps.join(", "))
}

/// Every page of a list as a client walks it: the first without page[number] (and without
/// page[size] when `size` is none, so that the server's default applies), then page 2, 3, ...
/// for as long as `meta.pagination` names a next page, or, where it says nothing, the last
/// page was full; at most two pages more than the `expected` items fill (and at least 30), so
/// that a server naming next pages without end cannot hold the run. `page(number, size)`
/// asks for one.
pub async fn walk_pages<F, Fut>(
    s: &Session,
    size: Option<u32>,
    expected: usize,
    source: &str,
    mut page: F,
) -> Result<Vec<Exchange>, Stop>
where
    F: FnMut(Option<u32>, Option<u32>) -> Fut,
    Fut: Future<Output = Exchange>,
{
    let full = size.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
    let most = (expected.div_ceil(full.max(1)) + 2).max(30);
    let mut pages = Vec::new();
    for number in 1..=u32::try_from(most).unwrap_or(u32::MAX) {
        let ex = page((number > 1).then_some(number), size).await;
        s.gate(http::status(&ex, &[200], source))?;
        let items = list::ids(&ex).map_or(0, |ids| ids.len());
        let next = ex
            .json()
            .and_then(|d| d.pointer("/meta/pagination/next-page"))
            .map(|n| !n.is_null());
        pages.push(ex);
        if items == 0 || !next.unwrap_or(items >= full) {
            break;
        }
    }
    Ok(pages)
}

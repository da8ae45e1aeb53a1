//! How agent pools and their tokens go: each token by id before its pool (as go-tfe's tests
//! do), so that none is left should a server keep the tokens of a deleted pool; and pools
//! found by the run's tag in their name, with their tokens, should a create's answer never
//! arrive. No pool or token the run did not make is touched.

use crate::suite::prelude::*;
use std::num::NonZeroU64;

/// An agent pool; its tokens go with it.
pub static POOL: Kind = Kind::by_id(
    "agent pool",
    "deleteAgentPool",
    "agent_pool_id",
    Stage::Holder,
);

/// An agent token, deleted by id before its pool.
pub static TOKEN: Kind = Kind::by_id(
    "agent token",
    "deleteAuthenticationToken",
    "token_id",
    Stage::Token,
);

/// The agent pools whose name carries the run's tag (none without the agents entitlement:
/// then the list is a 404).
pub fn sweep(s: Session) -> Boxed<Vec<String>> {
    Box::pin(async move {
        let run_tag = s.ctx().run_tag.clone();
        let size = NonZeroU64::new(100);
        let ex = s
            .call(
                SWEEP,
                s.owner()
                    .list_agent_pools(s.org(), None, size, Some(&run_tag)),
            )
            .await;
        sweep_listed(&s, &ex, "name", &POOL).await
    })
}

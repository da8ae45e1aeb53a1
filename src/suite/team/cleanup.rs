//! How a team's tokens go: with their team, when the trial made the team; one by one when the
//! team outlives the run (the owners team), and found by the run's tag in their description
//! should a create's answer never arrive.

use crate::suite::prelude::*;
use std::num::NonZeroU64;

/// A token of a team the run did not create (the owners team), deleted by id.
pub static TOKEN: Kind = Kind::by_id(
    "team token",
    "deleteAuthenticationToken",
    "token_id",
    Stage::Token,
);

/// The owners team's tokens whose description carries the run's tag.
pub fn sweep(s: Session) -> Boxed<Vec<String>> {
    Box::pin(async move {
        let size = NonZeroU64::new(100);
        let ex = s
            .call(
                SWEEP,
                s.owner()
                    .list_team_tokens(s.org(), None, None, None, size, Some("owners"), None),
            )
            .await;
        sweep_listed(&s, &ex, "description", &TOKEN).await
    })
}

//! How user tokens go: each by id, as trials end; and found by the run's tag in their
//! description should a create's answer never arrive. The token the harness runs with is
//! never touched.

use crate::suite::prelude::*;

/// A user token, deleted through `/authentication-tokens/{id}`.
pub static TOKEN: Kind = Kind::by_id(
    "user token",
    "deleteAuthenticationToken",
    "token_id",
    Stage::Token,
)
.users_own();

/// The calling user's tokens whose description carries the run's tag.
pub fn sweep(s: Session) -> Boxed<Vec<String>> {
    Box::pin(async move {
        let ex = s.call(SWEEP, s.owner().get_account_details()).await;
        let Some(user) = succeeded_id(&ex) else {
            return Vec::new();
        };
        let ex = s
            .call(SWEEP, s.owner().list_user_tokens(&user, None, None))
            .await;
        sweep_listed(&s, &ex, "description", &TOKEN).await
    })
}

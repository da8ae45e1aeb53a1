//! How user tokens go: each by id, as trials end; and found by the run's tag in their
//! description should a create's answer never arrive. The token the harness runs with is
//! never touched.

use crate::suite::{
    Boxed, Kind, Removal, Session, Stage,
    cleanup::{SWEEP, sweep_away, tagged},
    steps::succeeded_id,
};

/// A user token, deleted through `/authentication-tokens/{id}`.
pub static TOKEN: Kind = Kind {
    what: "user token",
    removal: Removal::ById {
        operation: "deleteAuthenticationToken",
        param: "token_id",
        stage: Stage::Token,
    },
};

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
        let tokens = tagged(&s, &ex, "description");
        sweep_away(&s, &TOKEN, tokens).await
    })
}

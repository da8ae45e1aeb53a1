//! A user token's secret as a credential (`explore::by_id_credential`): exactly itself, and
//! refused on every endpoint once deleted and once past its expiry (the user-tokens docs take
//! an `expired-at`, ref §1 #13). A user is not deleted through this API, so there is no parent
//! whose deletion to try.

use super::trials::minted;
use crate::suite::{
    explore::{body_with_expiry, by_id_credential},
    prelude::*,
};

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "credential::user_tokens",
            "a user token's secret authenticates and nothing near it does; deleted or expired, it gets 401 on every endpoint",
            credential,
        )
        .only(CURRENT)
        .explores(),
    ]
}

async fn credential(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let (session, user) = (&s, user.as_str());
    by_id_credential(
        &s,
        |what, expired_at| async move {
            // A name with the run's tag: a user's tokens go with nothing the run deletes, and
            // the final sweep finds by the tag one whose create answer never came.
            let description = session.unique_name(what);
            session
                .raw(
                    &format!("create user token {what:?}"),
                    session.as_owner(),
                    "createUserToken",
                    &[("user_id", user)],
                )
                .body(body_with_expiry(&description, expired_at.as_deref()))
                .send()
                .await
        },
        minted,
    )
    .await
}

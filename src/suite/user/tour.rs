//! User tokens in the conformance tour: creates refused.

use crate::suite::prelude::*;

pub fn tour(s: Session) -> Boxed<()> {
    Box::pin(async move {
        // A user that cannot be found still gets the requests, for the statuses they provoke.
        let user = fixtures::user_id(&s).await.ok();
        let params = [("user_id", user.as_deref().unwrap_or("unknown"))];
        refused_creates(&s, "a user token", "createUserToken", &params).await;
    })
}

//! Generated inputs for user tokens (`explore::echo`): a description of any script and
//! length, and an expiry in any RFC 3339 form, taken and given back as sent (ref §1 #13: a
//! user token's create takes both).

use super::trials::minted;
use crate::suite::{
    explore::{Create, descriptions_echoed, expiries_echoed},
    prelude::*,
};

/// How a user token is made for a case: 201 (user-tokens docs), deleted again once checked,
/// as a user's tokens go with nothing the case made.
const CREATE: Create = Create {
    created: &[201],
    shortest: 0,
    description_source: "user-tokens docs: description is a string, with no limit given (JSON \
                         strings are Unicode, RFC 8259 §7); ref §1 #13, §2",
    expiry_source: "user-tokens docs: expired-at in ISO 8601 (go-tfe sends RFC 3339, pytfe \
                    isoformat with microseconds); ref §2: the expiry asked for comes back",
    minted,
    alone: true,
    caller: Session::as_owner,
};

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "inputs::user_token_description",
            "a user token's description of any script and up to 100 characters is taken (201) and comes back as sent, on create and on read",
            descriptions,
        ),
        CheckDef::new(
            "inputs::user_token_expiry",
            "a user token's expired-at in any RFC 3339 form (Z or an offset, 0 to 6 digits of a second) is taken and comes back as the same instant",
            expiries,
        ),
    ]
    .into_iter()
    .map(|c| c.only(CURRENT).explores())
    .collect()
}

async fn create(s: Session, user: String, step: &str, body: String) -> Result<Exchange, Stop> {
    Ok(
        s.raw(step, s.as_owner(), "createUserToken", &[("user_id", &user)])
            .body(body)
            .send()
            .await,
    )
}

async fn descriptions(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let user = user.as_str();
    descriptions_echoed(&s, "inputs::user_token_description", &CREATE, |s, body| {
        create(s, user.to_string(), "create with a drawn description", body)
    })
    .await
}

async fn expiries(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let user = user.as_str();
    expiries_echoed(&s, "inputs::user_token_expiry", &CREATE, |s, body| {
        create(s, user.to_string(), "create with a drawn expiry", body)
    })
    .await
}

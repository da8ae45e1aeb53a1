//! Generated inputs for agent tokens (`explore::echo`): a description of any script and
//! length, taken and given back as sent (ref §1 #14: the description is required, and no
//! document limits it). Agent tokens take no expiry.

use super::{explorer, pool::agent_pool, trials::minted};
use crate::suite::{
    explore::{Create, descriptions_echoed},
    prelude::*,
};

/// How an agent token is made for a case: 201 (agent-tokens docs), with a description that is
/// not blank (it is required). The trial's pool holds every case's token, and no document
/// says whether a pool's descriptions may repeat: each case's description starts with a name
/// of its own, and its token is deleted once checked (`alone`).
const CREATE: Create = Create {
    created: &[201],
    shortest: 1,
    description_source: "agent-tokens docs: description is a required string, with no limit \
                         given (JSON strings are Unicode, RFC 8259 §7); ref §1 #14",
    expiry_source: "",
    minted,
    alone: true,
    caller: explorer::caller,
};

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "inputs::agent_token_description",
            "an agent token's description of any script and up to 100 characters is taken (201) and comes back as sent, on create and on read",
            descriptions,
        )
        .only(CURRENT)
        .explores(),
    ]
}

async fn descriptions(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "explore").await?;
    let pool = pool.id.as_str();
    explorer::prove(&s).await;
    descriptions_echoed(
        &s,
        "inputs::agent_token_description",
        &CREATE,
        |s, body| async move {
            Ok(s.raw(
                "create with a drawn description",
                explorer::caller(&s),
                "createAgentToken",
                &[("agent_pool_id", pool)],
            )
            .body(body)
            .send()
            .await)
        },
    )
    .await
}

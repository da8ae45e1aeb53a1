//! Who explores agent tokens (the drawn sequences and inputs): the run's set-up tokens, once
//! one has shown it may, else the user's token.
//!
//! Why: TFE limits requests per user (ref §6), and the agent-token sequences were the user's
//! busiest trial (120 to 160 of a `tfe` run's 470 to 510 requests, with the seed). The
//! api-tokens docs give a token of the owners team an owner's permissions, and the
//! authorization matrix holds a server to it (`authz.rs`); but a refusal there must fail those
//! rows, not every drawn sequence. So before the first agent-token trial
//! explores, a set-up token shows it, once per run: in a pool of its own it makes a token,
//! finds it in the pool's list and deletes it by id. Anything short of that, and the user's
//! token explores, as before. The pool is deleted by the run's cleanup.

use super::{
    cleanup::TOKEN,
    pool::{agent_pool, agent_token_body},
    trials::minted,
};
use crate::suite::prelude::*;

/// The shared credential's name (`RunContext::shared_credential`).
const EXPLORER: &str = "agent-token explorer";

/// Has a set-up token show, once per run, that it may explore agent tokens; before
/// `caller` is asked.
pub(super) async fn prove(s: &Session) {
    if s.ctx().setup_token().is_some() {
        s.ctx().shared_credential(EXPLORER, proof).await;
    }
}

/// The credential that explores agent tokens: a set-up token once one has shown it may
/// (`prove`), else the user's token.
pub(super) fn caller(s: &Session) -> Auth {
    match s.ctx().shared_made(EXPLORER) {
        Some(Some(_)) => s.as_setup(),
        _ => s.as_owner(),
    }
}

fn proof(s: Session) -> Boxed<Result<Auth, Stop>> {
    Box::pin(async move {
        let pool = agent_pool(&s, "explorer").await?;
        let description = s.unique_name("explorer");
        let ex = s
            .call(
                "agent-token explorer: create a token as a set-up token",
                s.setup()
                    .create_agent_token(&pool.id, &agent_token_body(&description)),
            )
            .await;
        let made = minted(&s, ex)?;
        let listed = s
            .raw(
                "agent-token explorer: list the pool's tokens as a set-up token",
                s.as_setup(),
                "listAgentTokens",
                &[("agent_pool_id", &pool.id)],
            )
            .content_type(None)
            .send()
            .await;
        let found = steps::lists(&listed, &made.id);
        let deleted = s
            .call(
                "agent-token explorer: delete it by id as a set-up token",
                s.setup().delete_authentication_token(&made.id),
            )
            .await;
        if deleted.status() == Some(204) {
            s.ctx().forget(&TOKEN.made(made.id.clone()));
        }
        if found && deleted.status() == Some(204) {
            Ok(s.as_setup())
        } else {
            Err(Stop)
        }
    })
}

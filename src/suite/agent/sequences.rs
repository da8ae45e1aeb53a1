//! An agent pool's tokens as a holder of the shared model (`explore::holder`): sequences of
//! creates, reads, deletes, lists and the pool's deletion, run on a new pool each. An agent
//! token's secret is no API credential, so the sequences never try one.

use super::{
    explorer,
    pool::{Pool, agent_pool, agent_token_body},
    trials::minted,
};
use crate::suite::{
    explore::{Holder, Rules, holder_sequences},
    prelude::*,
};

const TRIAL: &str = "sequences::agent_tokens";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            TRIAL,
            "drawn sequences of creates, reads, deletes, lists (past the default page size) and the pool's deletion answer as the model of the agent-tokens docs says; a deleted pool's tokens read 404",
            sequences,
        )
        .only(CURRENT)
        .explores(),
    ]
}

async fn sequences(s: Session) -> Result<(), Stop> {
    holder_sequences::<Pool>(&s, TRIAL).await
}

impl Holder for Pool {
    const RULES: Rules = Rules {
        // The agent-tokens docs require a description and say nothing of its uniqueness.
        unique_descriptions: false,
        // api-tokens docs, Agent API Tokens: not valid for direct use of the API.
        api_credential: false,
        // GET /agent-pools/{id}/authentication-tokens: "Agent Pool not found" once it is gone.
        list_names_holder: true,
        created: &[201],
        create_source: "agent-tokens docs: Create an Agent Token, 201 (ref §1 #14)",
        list_source: "agent-tokens docs: List Agent Tokens, paginated (page[size] 20 by \
                      default), 404 \"Agent Pool not found\" (ref §1 #14)",
        delete_holder_source: "agents API docs: Delete an Agent Pool, 204; ref §5",
    };

    async fn prepare(s: &Session) -> Result<Pool, Stop> {
        let pool = agent_pool(s, "sequence").await?;
        explorer::prove(s).await;
        Ok(pool)
    }

    async fn create(&self, s: &Session, description: &str) -> Exchange {
        s.call(
            &format!("create agent token {description:?}"),
            s.client(explorer::caller(s))
                .create_agent_token(&self.id, &agent_token_body(description)),
        )
        .await
    }

    async fn list_page(&self, s: &Session, number: Option<u32>, size: Option<u32>) -> Exchange {
        let step = format!("list page {}", number.unwrap_or(1));
        s.raw(
            &step,
            explorer::caller(s),
            "listAgentTokens",
            &[("agent_pool_id", &self.id)],
        )
        .content_type(None)
        .page(number, size)
        .send()
        .await
    }

    async fn delete(&self, s: &Session) -> Exchange {
        s.call(
            "delete the agent pool",
            // The user's: the explorer showed it may manage tokens, not pools.
            s.owner().delete_agent_pool(&self.id),
        )
        .await
    }

    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        minted(s, ex)
    }

    fn caller(s: &Session) -> Auth {
        explorer::caller(s)
    }
}

//! Agent pools and their tokens (ref §1 #14): the pool fixtures (create, list, show, delete)
//! and a pool's token list and token creation. Agent tokens are shown and deleted by id with
//! team and user tokens (`team_tokens.rs`). Pools need the organization's agents entitlement.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::{Value, json};

use super::model::{AgentPool, Kind, Life, Principal, Reply, State, Token};
use super::{Fault, Quirk};

impl State {
    fn agent_pool_json(&self, pool: &AgentPool) -> Value {
        let mut data = json!({"id": pool.id, "type": "agent-pools", "attributes": {
            "name": pool.name, "created-at": self.time(pool.created_at),
            "organization-scoped": pool.organization_scoped, "agent-count": 0},
            "relationships": {"authentication-tokens": {"links": {
                "related": format!("/api/v2/agent-pools/{}/authentication-tokens", pool.id)}}}});
        if self.quirk(Quirk::ExtraFields) {
            data["links"] = json!({"self": format!("/api/v2/agent-pools/{}", pool.id)});
        }
        data
    }

    /// The organization's pools are there to be seen: our organization, the entitlement, and
    /// a caller at owner level (owners, the owners team, the organization token).
    fn agent_pools_gate(&self, p: &Principal, org: &str) -> Result<(), Reply> {
        if org != self.organization {
            return Err(self.unknown_organization());
        }
        if !self.owner_level(p) {
            return Err(self.forbidden());
        }
        if !self.agents_entitled {
            // No agents entitlement: as if there were no such thing (ref §1 #14).
            return Err(self.not_found());
        }
        Ok(())
    }

    /// Whether `p`, a team's token, is refused agent tokens under
    /// `agent-tokens-refuse-team-tokens` (the owners team's too, which the api-tokens docs give
    /// an owner's permissions).
    pub(super) fn refuses_for_agent_tokens(&self, p: &Principal) -> bool {
        self.has(Fault::AgentTokensRefuseTeamTokens) && matches!(p, Principal::Team(_))
    }

    /// The pool, if it exists and `p` may manage it; 404 otherwise.
    fn managed_pool(&self, p: &Principal, pool_id: &str) -> Result<&AgentPool, Reply> {
        let Some(pool) = self.agent_pools.get(pool_id) else {
            return Err(self.not_found());
        };
        if !self.owner_level(p) {
            return Err(self.forbidden());
        }
        Ok(pool)
    }

    pub fn create_agent_pool(&mut self, p: &Principal, org: &str, body: &[u8]) -> Reply {
        if let Err(reply) = self.agent_pools_gate(p, org) {
            return reply;
        }
        if !self.makes_fixtures(p) {
            return self.forbidden();
        }
        let doc = match self.parse(body) {
            Ok(doc) => doc,
            Err(reply) => return reply,
        };
        let name = match self.new_name(&doc, |name| {
            self.agent_pools.values().any(|pool| pool.name == name)
        }) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let organization_scoped = doc
            .pointer("/data/attributes/organization-scoped")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let pool = AgentPool {
            id: format!("apool-{}", self.id_value()),
            name: name.to_string(),
            created_at: Utc::now(),
            organization_scoped,
        };
        let doc = json!({"data": self.agent_pool_json(&pool)});
        self.agent_pools.insert(pool.id.clone(), pool);
        // The agents docs say 201, HashiCorp's OpenAPI file 200 (the quirk).
        let status = if self.quirk(Quirk::AgentPoolCreated200) {
            200
        } else {
            201
        };
        self.ok(status, doc)
    }

    pub fn list_agent_pools(
        &self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        if let Err(reply) = self.agent_pools_gate(p, org) {
            return reply;
        }
        let q = query.get("q").map(|q| q.to_ascii_lowercase());
        let data: Vec<Value> = self
            .agent_pools
            .values()
            .filter(|pool| {
                q.as_ref()
                    .is_none_or(|q| pool.name.to_ascii_lowercase().contains(q.as_str()))
            })
            .map(|pool| self.agent_pool_json(pool))
            .collect();
        let base = format!("/api/v2/organizations/{org}/agent-pools");
        self.page_reply(data, query, &base, true)
    }

    pub fn show_agent_pool(&self, p: &Principal, pool_id: &str) -> Reply {
        match self.managed_pool(p, pool_id) {
            Ok(pool) => self.ok(200, json!({"data": self.agent_pool_json(pool)})),
            Err(reply) => reply,
        }
    }

    /// Deletes the pool (agents API docs: 204) and, with it, its tokens. No document says so
    /// in words: an agent token is created, listed and authorized through its pool
    /// (agent-tokens docs), and has no place without one (tfe-token-api.md §9 names a
    /// parent's deletion as a question a server gets wrong). `pool-deletion-keeps-tokens`
    /// leaves them.
    pub fn delete_agent_pool(&mut self, p: &Principal, pool_id: &str) -> Reply {
        if let Err(reply) = self.managed_pool(p, pool_id) {
            return reply;
        }
        if !self.makes_fixtures(p) {
            return self.forbidden();
        }
        self.agent_pools.remove(pool_id);
        if self.has(Fault::PoolDeletionKeepsTokens) {
            return self.no_content();
        }
        let tokens: Vec<String> = self
            .tokens
            .values()
            .filter(|t| t.kind == Kind::Agent && t.owner == pool_id)
            .map(|t| t.id.clone())
            .collect();
        for id in tokens {
            self.revoke(&id, Life::Deleted);
        }
        self.no_content()
    }

    /// The pool's live tokens: oldest first, or as `sort` says (`created-at`, `-created-at`;
    /// ties by id in the same direction); any other `sort` is 400 (agent-tokens docs).
    pub fn list_agent_tokens(
        &self,
        p: &Principal,
        pool_id: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        if self.has(Fault::UnknownAgentPoolEmptyList) && !self.agent_pools.contains_key(pool_id) {
            let base = format!("/api/v2/agent-pools/{pool_id}/authentication-tokens");
            return self.page_reply(Vec::new(), query, &base, true);
        }
        if let Err(reply) = self.managed_pool(p, pool_id) {
            return reply;
        }
        if self.refuses_for_agent_tokens(p) {
            return self.forbidden();
        }
        if self.has(Fault::TokenLists404) {
            return self.not_found();
        }
        let sort = query
            .get("sort")
            .map(String::as_str)
            .filter(|_| !self.has(Fault::AgentTokenListIgnoresSort));
        let descending = match sort {
            None | Some("created-at") => false,
            Some("-created-at") => true,
            Some(_) => {
                return self.error(
                    400,
                    "invalid sort",
                    Some("sort must be created-at or -created-at"),
                );
            }
        };
        // The fault loses the pool on the unsorted path only (a query built twice).
        let every_pool = sort.is_none() && self.has(Fault::AgentTokenListIgnoresPool);
        let mut tokens: Vec<&Token> = self
            .tokens
            .values()
            .filter(|t| t.kind == Kind::Agent && t.life == Life::Live)
            .filter(|t| every_pool || t.owner == pool_id)
            .collect();
        // Without `sort` the docs promise no order; this server lists the oldest first.
        tokens.sort_by(|a, b| {
            let order = a
                .created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id));
            if descending { order.reverse() } else { order }
        });
        let data: Vec<Value> = tokens
            .iter()
            .map(|t| self.token_doc(t, self.has(Fault::ListShowsSecrets))["data"].clone())
            .collect();
        // The docs sample carries links and meta.pagination even without page parameters.
        let base = format!("/api/v2/agent-pools/{pool_id}/authentication-tokens");
        self.page_reply(data, query, &base, true)
    }

    /// A new agent token: a description is required (422 without; agent-tokens docs).
    pub fn create_agent_token(&mut self, p: &Principal, pool_id: &str, body: &[u8]) -> Reply {
        if let Err(reply) = self.managed_pool(p, pool_id) {
            return reply;
        }
        if self.refuses_for_agent_tokens(p) {
            return self.forbidden();
        }
        if self.user_creation_refused(p) {
            return self.not_found();
        }
        let doc = match self.parse(body) {
            Ok(doc) => doc,
            Err(reply) => return reply,
        };
        // go-tfe sends type agent-tokens, the docs authentication-tokens: any type will do,
        // unless a fault insists on the docs' word.
        if self.has(Fault::StrictRequestType)
            && doc.pointer("/data/type").and_then(Value::as_str) != Some("authentication-tokens")
        {
            return self.error(
                422,
                "invalid attribute",
                Some("type must be authentication-tokens"),
            );
        }
        let description = doc
            .pointer("/data/attributes/description")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        if description.is_none() && !self.has(Fault::AgentTokenDescriptionOptional) {
            return self.error(422, "invalid attribute", Some("Description can't be blank"));
        }
        // The description is stored as sent (agent-tokens docs: a string; JSON strings are
        // Unicode); the fault keeps it in a Latin-1 column.
        let description = description.map(|d| {
            if self.has(Fault::AgentDescriptionLatin1) {
                d.chars()
                    .map(|c| if c > '\u{ff}' { '?' } else { c })
                    .collect()
            } else {
                d
            }
        });
        let token = self.mint(Kind::Agent, pool_id.to_string(), description, None, true, p);
        let (_, doc) = self.issue(token);
        self.ok(201, doc)
    }
}

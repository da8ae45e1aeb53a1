//! User tokens: a user's token list and token creation.

use std::collections::HashMap;

use chrono::Timelike;
use serde_json::Value;

use super::Fault;
use super::model::{Kind, Life, Principal, Reply, State, Token};

impl State {
    // ----- user tokens ------------------------------------------------------------------

    pub fn list_user_tokens(
        &self,
        p: &Principal,
        user_id: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        if self.has(Fault::TokenLists404) {
            return self.not_found();
        }
        // The user-tokens docs: 404 "User not found" for a user that does not exist; anyone
        // but the user gets 200 with an empty document (ref §5).
        if user_id != self.owner_id && !self.has(Fault::MissingUser200) {
            return self.not_found();
        }
        let own = *p == Principal::User(user_id.to_string());
        let peeking = self.has(Fault::UserTokensVisibleToTeams) && matches!(p, Principal::Team(_));
        let data: Vec<Value> = if own || peeking {
            let mut tokens: Vec<&Token> = self
                .tokens
                .values()
                .filter(|t| t.kind == Kind::User && t.owner == user_id && t.life == Life::Live)
                .collect();
            tokens.sort_by_key(|t| t.created_at);
            tokens
                .iter()
                .map(|t| self.token_doc(t, self.has(Fault::ListShowsSecrets))["data"].clone())
                .collect()
        } else {
            // Anyone else sees an empty list (ref §5).
            Vec::new()
        };
        let paginated = query.contains_key("page[number]") || query.contains_key("page[size]");
        let base = format!("/api/v2/users/{user_id}/authentication-tokens");
        self.page_reply(data, query, &base, paginated)
    }

    pub fn create_user_token(&mut self, p: &Principal, user_id: &str, body: &[u8]) -> Reply {
        if *p != Principal::User(user_id.to_string()) {
            return if user_id == self.owner_id {
                self.forbidden()
            } else {
                self.not_found()
            };
        }
        if self.user_creation_refused(p) {
            return self.not_found();
        }
        let mut request = match self.token_request(body, false) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        // ref §2: the expiry asked for comes back; the fault keeps it to the minute.
        if self.has(Fault::UserExpiryToTheMinute) {
            request.expiry = request
                .expiry
                .and_then(|t| t.with_second(0))
                .and_then(|t| t.with_nanosecond(0));
        }
        let token = self.mint(
            Kind::User,
            user_id.to_string(),
            request.description,
            request.expiry,
            false,
            p,
        );
        let (_, doc) = self.issue(token);
        self.ok(201, doc)
    }
}

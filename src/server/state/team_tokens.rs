//! Team tokens: the legacy one-per-team token, a team's several tokens, team, user and agent
//! tokens by id, and the organization's team-token list and bulk delete.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::{Kind, Life, Principal, Reply, State, Token};
use super::{Fault, Profile, Quirk};

impl State {
    // ----- team tokens ------------------------------------------------------------------

    pub fn create_team_token(&mut self, p: &Principal, team_id: &str, body: &[u8]) -> Reply {
        let seen = self.seen_at_start.take();
        if let Err(reply) = self.may_create_team_token(p, team_id) {
            return reply;
        }
        let request = match self.token_request(body, false) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        let expiry = request
            .expiry
            .filter(|_| !self.has(Fault::TeamExpiryIgnored));
        // Under `rotation-race`, what was current when the rotation began.
        let replaced = seen.unwrap_or_else(|| self.teams[team_id].legacy_token.clone());
        if let Some(old) = replaced {
            self.replace(team_id, &old);
        }
        let token = self.mint(
            Kind::LegacyTeam,
            team_id.to_string(),
            None,
            expiry,
            false,
            p,
        );
        let (id, doc) = self.issue(token);
        if let Some(team) = self.teams.get_mut(team_id) {
            team.legacy_token = Some(id);
        }
        self.ok(201, doc)
    }

    pub fn show_team_token(&self, p: &Principal, team_id: &str) -> Reply {
        if let Err(reply) = self.managed_team(p, team_id, false) {
            return reply;
        }
        if self.has(Fault::TokenReads404) {
            return self.not_found();
        }
        let token = self.teams[team_id]
            .legacy_token
            .as_ref()
            .and_then(|id| self.tokens.get(id));
        match token {
            Some(token) => self.ok(
                200,
                self.token_doc(token, self.has(Fault::TeamTokenReadShowsSecret)),
            ),
            None => self.not_found(),
        }
    }

    pub fn delete_team_token(&mut self, p: &Principal, team_id: &str) -> Reply {
        if let Err(reply) = self.managed_team(p, team_id, true) {
            return reply;
        }
        if self.has(Fault::TokenDeletes404) {
            return self.not_found();
        }
        let Some(id) = self.teams[team_id].legacy_token.clone() else {
            return self.not_found();
        };
        if !self.has(Fault::TeamTokenDeleteIgnored) {
            self.revoke(&id, Life::Deleted);
            if let Some(team) = self.teams.get_mut(team_id) {
                team.legacy_token = None;
            }
        }
        self.no_content()
    }

    pub fn create_team_tokens(&mut self, p: &Principal, team_id: &str, body: &[u8]) -> Reply {
        if let Err(reply) = self.may_create_team_token(p, team_id) {
            return reply;
        }
        let request = match self.token_request(body, false) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        let taken = request.description.is_some()
            && self.tokens.values().any(|t| {
                t.kind == Kind::Team
                    && t.owner == team_id
                    && t.life == Life::Live
                    && t.description == request.description
            });
        if taken && !self.has(Fault::DuplicateDescriptionAccepted) {
            // The docs give no status; go-tfe matches the text (ref §4).
            let status = if self.quirk(Quirk::DuplicateDescription409) {
                409
            } else {
                422
            };
            return self.error(
                status,
                "invalid attribute",
                Some("Validation failed: Description has already been taken"),
            );
        }
        if self.has(Fault::MultiTokenReplaces) {
            let others: Vec<String> = self
                .tokens
                .values()
                .filter(|t| t.kind == Kind::Team && t.owner == team_id && t.life == Life::Live)
                .map(|t| t.id.clone())
                .collect();
            for id in others {
                self.revoke(&id, Life::Replaced);
            }
        }
        let mut token = self.mint(
            Kind::Team,
            team_id.to_string(),
            request.description,
            request.expiry,
            false,
            p,
        );
        if let Some(id) = self.reusable_ids.remove(team_id) {
            token.id = id;
        }
        let (_, doc) = self.issue(token);
        self.ok(201, doc)
    }

    fn team_tokens_served(&self) -> bool {
        self.profile != Profile::Legacy
    }

    pub fn show_token(&self, p: &Principal, id: &str) -> Reply {
        if self.has(Fault::TokenReads404) {
            return self.not_found();
        }
        match self.visible_token(p, id, false) {
            Ok(token) => {
                let reveal = self.has(Fault::TokenShowRevealsSecret)
                    || token.kind == Kind::Agent && self.has(Fault::AgentTokenReadShowsSecret);
                self.ok(200, self.token_doc(token, reveal))
            }
            Err(reply) => reply,
        }
    }

    pub fn delete_token(&mut self, p: &Principal, id: &str) -> Reply {
        if self.has(Fault::TokenDeletes404) {
            return self.not_found();
        }
        let token = match self.visible_token(p, id, true) {
            Ok(token) => token,
            Err(reply) => return reply,
        };
        let (kind, owner) = (token.kind, token.owner.clone());
        let ignored = if kind == Kind::Agent {
            self.has(Fault::AgentTokenDeleteIgnored)
        } else {
            self.has(Fault::TokenDeleteKeepsSecret)
        };
        if !ignored {
            self.revoke(id, Life::Deleted);
            if kind == Kind::Team && self.has(Fault::DeletedIdReused) {
                self.reusable_ids.insert(owner.clone(), id.to_string());
            }
            if kind == Kind::LegacyTeam
                && let Some(team) = self.teams.get_mut(&owner)
            {
                team.legacy_token = None;
            }
        }
        self.no_content()
    }

    pub fn list_team_tokens(
        &self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        // A team with "manage teams" lists the tokens of the teams it manages (ref §5).
        let manages = |team: &str| self.owner_level(p) || self.manages_tokens_of(p, team);
        if !self.teams.keys().any(|team| manages(team)) {
            return self.forbidden();
        }
        if self.has(Fault::TokenLists404) {
            return self.not_found();
        }
        let q = query
            .get("q")
            .filter(|_| !self.has(Fault::ListIgnoresQuery))
            .map(|q| q.to_ascii_lowercase());
        let mut tokens: Vec<&Token> = self
            .tokens
            .values()
            .filter(|t| t.is_team_token() && t.life == Life::Live && manages(&t.owner))
            .filter(|t| {
                let name = self
                    .teams
                    .get(&t.owner)
                    .map(|team| team.name.to_ascii_lowercase());
                match (&q, name) {
                    (_, None) => false,
                    (None, Some(_)) => true,
                    (Some(q), Some(name)) if self.has(Fault::SearchAsPattern) => {
                        like(&name, &format!("%{q}%"))
                    }
                    (Some(q), Some(name)) => name.contains(q.as_str()),
                }
            })
            .collect();
        let sort = query
            .get("sort")
            .map(String::as_str)
            .unwrap_or("expired-at");
        if !self.has(Fault::ListIgnoresSort) {
            let (descending, key) = match sort.strip_prefix('-') {
                Some(key) => (true, key),
                None => (false, sort),
            };
            let known = ["expired-at", "last-used-at", "created-by", "team-name"];
            if self.has(Fault::UnknownSort500) && !known.contains(&key) {
                return self.error(500, "internal server error", None);
            }
            let team_name = |t: &Token| self.teams.get(&t.owner).map(|x| x.name.clone());
            tokens.sort_by(|a, b| {
                let order = match key {
                    "last-used-at" => cmp_nulls_last(a.last_used_at, b.last_used_at),
                    "created-by" => a.created_by.0.cmp(&b.created_by.0),
                    "team-name" => team_name(a).cmp(&team_name(b)),
                    _ => cmp_nulls_last(a.expired_at, b.expired_at),
                };
                let order = order.then_with(|| a.created_at.cmp(&b.created_at));
                if descending { order.reverse() } else { order }
            });
        }
        let data: Vec<Value> = tokens
            .iter()
            .map(|t| self.token_doc(t, self.has(Fault::ListShowsSecrets))["data"].clone())
            .collect();
        let base = format!("/api/v2/organizations/{org}/team-tokens");
        self.page_reply(data, query, &base, true)
    }

    pub fn delete_team_tokens(&mut self, p: &Principal, org: &str, body: &[u8]) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        if !self.member(p) {
            return self.forbidden();
        }
        if !(self.owner_level(p) || self.outsider_writes(p)) {
            if self.quirk(Quirk::OutsiderBulk404) {
                return self.not_found();
            }
            return self.error(
                403,
                "forbidden",
                Some("You are not allowed to delete these tokens"),
            );
        }
        if self.has(Fault::TokenDeletes404) {
            return self.not_found();
        }
        let Ok(doc) = serde_json::from_slice::<Value>(body) else {
            return self.error(
                400,
                "bad request",
                Some("The request body is not valid JSON"),
            );
        };
        let ids: Option<Vec<String>> = doc.get("data").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        });
        let Some(ids) = ids.filter(|ids| !ids.is_empty()) else {
            return self.error(
                422,
                "invalid document",
                Some("data must list the tokens to delete"),
            );
        };
        let all_team_tokens = ids.iter().all(|id| {
            self.tokens
                .get(id)
                .is_some_and(|t| t.is_team_token() && t.life == Life::Live)
        });
        if !all_team_tokens {
            return self.not_found();
        }
        if !self.has(Fault::BulkDeleteIgnored) {
            for id in &ids {
                // The same id twice in one request: gone after the first.
                let Some(owner) = self.tokens.get(id).map(|t| t.owner.clone()) else {
                    continue;
                };
                self.revoke(id, Life::Deleted);
                if let Some(team) = self.teams.get_mut(&owner)
                    && team.legacy_token.as_deref() == Some(id.as_str())
                {
                    team.legacy_token = None;
                }
            }
        }
        self.no_content()
    }

    /// Whether the routes the seeds' era did not have are served.
    pub fn serves_later_routes(&self) -> bool {
        self.team_tokens_served()
    }

    /// Bulk team-token delete is on HCP Terraform's team-tokens docs page only; the
    /// Terraform Enterprise docs have no such endpoint.
    pub fn serves_bulk_delete(&self) -> bool {
        self.profile == Profile::Hcp
    }
}

fn cmp_nulls_last(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// SQL's LIKE, as a careless server uses it: `_` is any one character, `%` any run (the
/// `search-as-pattern` fault).
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    fn at(text: &[char], pattern: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('%', rest)) => (0..=text.len()).any(|i| at(&text[i..], rest)),
            Some(('_', rest)) => !text.is_empty() && at(&text[1..], rest),
            Some((c, rest)) => text.first() == Some(c) && at(&text[1..], rest),
        }
    }
    at(&text, &pattern)
}

//! The team fixtures: list, create, show and delete teams.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::{Value, json};

use super::model::{Life, Principal, Reply, State, Team};
use super::{Fault, Quirk};

impl State {
    // ----- fixtures -----------------------------------------------------------------------

    fn team_json(&self, team: &Team) -> Value {
        let mut data = json!({"id": team.id, "type": "teams", "attributes": {
            "name": team.name, "users-count": 1, "visibility": "secret",
            "created-at": self.time(team.created_at)}});
        if self.quirk(Quirk::ExtraFields) {
            data["links"] = json!({"self": format!("/api/v2/teams/{}", team.id)});
        }
        data
    }

    pub fn list_teams(&self, p: &Principal, org: &str, query: &HashMap<String, String>) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        if !self.member(p) {
            return self.forbidden();
        }
        let q = query.get("q").map(|s| s.to_ascii_lowercase());
        let names: Option<Vec<&str>> = query.get("filter[names]").map(|s| s.split(',').collect());
        let data: Vec<Value> = self
            .teams
            .values()
            .filter(|t| {
                q.as_ref()
                    .is_none_or(|q| t.name.to_ascii_lowercase().contains(q))
            })
            .filter(|t| names.as_ref().is_none_or(|n| n.contains(&t.name.as_str())))
            .map(|t| self.team_json(t))
            .collect();
        let count = data.len();
        self.ok(
            200,
            json!({"data": data,
                "links": {"self": format!("/api/v2/organizations/{org}/teams?page%5Bnumber%5D=1&page%5Bsize%5D=20")},
                "meta": {"pagination": {"current-page": 1, "page-size": 20, "prev-page": null,
                    "next-page": null, "total-pages": 1, "total-count": count}}}),
        )
    }

    pub fn create_team(&mut self, p: &Principal, org: &str, body: &[u8]) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        if !self.makes_fixtures(p) {
            return self.forbidden();
        }
        let doc = match self.parse(body) {
            Ok(doc) => doc,
            Err(reply) => return reply,
        };
        let name = match self.new_name(&doc, |name| self.teams.values().any(|t| t.name == name)) {
            Ok(name) => name,
            Err(reply) => return reply,
        };
        let team = Team {
            id: if self.dot_ids {
                "..".to_string()
            } else {
                format!("team-{}", self.id_value())
            },
            name: name.to_string(),
            created_at: Utc::now(),
            legacy_token: None,
            // Teams API docs: a team's organization-level permissions come with its create
            // (organization-access); a team with "manage teams" manages team tokens (ref §5).
            manage_teams: doc
                .pointer("/data/attributes/organization-access/manage-teams")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        let doc = json!({"data": self.team_json(&team)});
        self.teams.insert(team.id.clone(), team);
        // The teams API docs and HashiCorp's OpenAPI file say 200 (ref §1); other servers
        // answer 201, which the quirk shows.
        let status = if self.quirk(Quirk::TeamCreated201) {
            201
        } else {
            200
        };
        self.ok(status, doc)
    }

    pub fn show_team(&self, p: &Principal, id: &str) -> Reply {
        match self.teams.get(id) {
            Some(team) if self.member(p) => self.ok(200, json!({"data": self.team_json(team)})),
            Some(_) => self.forbidden(),
            None => self.not_found(),
        }
    }

    pub fn delete_team(&mut self, p: &Principal, id: &str) -> Reply {
        if !self.teams.contains_key(id) {
            return self.not_found();
        }
        if !self.makes_fixtures(p) {
            return self.forbidden();
        }
        if id == self.owners_team {
            return self.error(
                422,
                "invalid attribute",
                Some("The owners team cannot be deleted"),
            );
        }
        if self.has(Fault::TeamDelete500) {
            return self.error(500, "internal server error", None);
        }
        self.teams.remove(id);
        let ids: Vec<String> = self
            .tokens
            .values()
            .filter(|t| t.is_team_token() && t.owner == id)
            .map(|t| t.id.clone())
            .collect();
        for token in ids {
            if self.has(Fault::TeamDeletionKeepsTokens) {
                break;
            }
            self.revoke(&token, Life::Deleted);
        }
        self.no_content()
    }
}

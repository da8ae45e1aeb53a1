//! The reference server's model and behaviour, without HTTP: who a token belongs to, who may
//! do what, and the documents real TFE answers with. Faults and quirks are applied here, at
//! the one place each decision is made.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Months, SecondsFormat, Utc};
use http::{HeaderMap, Method, header};
use rand::Rng;
use serde_json::{Map, Value, json};

use super::{Config, Fault, Profile, Quirk};

const JSON_API: &str = "application/vnd.api+json";

/// What a handler answers; `api` turns it into HTTP.
pub struct Reply {
    pub status: u16,
    pub body: Body,
}

pub enum Body {
    None,
    Json(Value),
    PlainText(&'static str),
}

/// Who a request acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    User(String),
    Organization,
    AuditTrails,
    Team(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Default,
    AuditTrails,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Life {
    Live,
    Deleted,
    Replaced,
}

#[derive(Clone, Debug)]
struct Token {
    id: String,
    secret: String,
    principal: Principal,
    created_at: DateTime<Utc>,
    expired_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    created_by: (String, &'static str),
    life: Life,
}

#[derive(Clone, Debug)]
struct Team {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
}

pub struct State {
    profile: Profile,
    faults: HashSet<Fault>,
    quirks: HashSet<Quirk>,
    organization: String,
    organization_created: DateTime<Utc>,
    owner_id: String,
    owners_team: String,
    teams: BTreeMap<String, Team>,
    tokens: BTreeMap<String, Token>,
    by_secret: HashMap<String, String>,
    org_token: Option<String>,
    audit_token: Option<String>,
    /// The document of the last deleted organization token (for `read-after-delete-200`).
    deleted_org_token: Option<String>,
    next_number: u64,
}

impl State {
    pub fn new(config: &Config) -> Self {
        let now = Utc::now();
        let mut state = State {
            profile: config.profile,
            faults: config.faults.iter().copied().collect(),
            quirks: config.quirks.iter().copied().collect(),
            organization: config.organization.clone(),
            organization_created: now,
            owner_id: String::new(),
            owners_team: String::new(),
            teams: BTreeMap::new(),
            tokens: BTreeMap::new(),
            by_secret: HashMap::new(),
            org_token: None,
            audit_token: None,
            deleted_org_token: None,
            next_number: 4_111_700,
        };
        state.owner_id = format!("user-{}", random(16));
        let owners = Team {
            id: format!("team-{}", random(16)),
            name: "owners".into(),
            created_at: now,
        };
        state.owners_team = owners.id.clone();
        state.teams.insert(owners.id.clone(), owners);
        let owner = Principal::User(state.owner_id.clone());
        let id = state.token_id();
        state.insert_token(Token {
            id,
            secret: config.owner_token.clone(),
            principal: owner,
            created_at: now,
            expired_at: None,
            last_used_at: None,
            created_by: (state.owner_id.clone(), "users"),
            life: Life::Live,
        });
        state
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    fn quirk(&self, quirk: Quirk) -> bool {
        self.quirks.contains(&quirk)
    }

    pub fn extra_headers(&self) -> bool {
        self.quirk(Quirk::ExtraFields)
    }

    pub fn content_type(&self) -> &'static str {
        if self.has(Fault::MediaTypeJson) {
            "application/json"
        } else if self.quirk(Quirk::Charset) {
            "application/vnd.api+json; charset=utf-8"
        } else {
            JSON_API
        }
    }

    // ----- identifiers, time --------------------------------------------------------------

    fn token_id(&mut self) -> String {
        if self.quirk(Quirk::NumericIds) {
            self.next_number += 1;
            self.next_number.to_string()
        } else {
            format!("at-{}", random(16))
        }
    }

    fn time(&self, t: DateTime<Utc>) -> String {
        let text = if self.quirk(Quirk::WholeSeconds) {
            t.to_rfc3339_opts(SecondsFormat::Secs, true)
        } else {
            t.to_rfc3339_opts(SecondsFormat::Millis, true)
        };
        if self.has(Fault::TimestampsWithOffset) {
            text.replace('Z', "+00:00")
        } else {
            text
        }
    }

    fn opt_time(&self, t: Option<DateTime<Utc>>) -> Value {
        t.map_or(Value::Null, |t| Value::String(self.time(t)))
    }

    // ----- replies ------------------------------------------------------------------------

    fn ok(&self, status: u16, doc: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(doc),
        }
    }

    fn no_content(&self) -> Reply {
        Reply {
            status: 204,
            body: Body::None,
        }
    }

    pub fn error(&self, status: u16, title: &str, detail: Option<&str>) -> Reply {
        let status_value = if self.has(Fault::ErrorStatusMismatch) {
            json!("400")
        } else if self.quirk(Quirk::NumericErrorStatus) {
            json!(status)
        } else {
            json!(status.to_string())
        };
        let mut error = Map::new();
        error.insert("status".into(), status_value);
        if self.quirk(Quirk::OtherErrorTitles) {
            error.insert("title".into(), json!(format!("Request failed ({status})")));
            error.insert("code".into(), json!(title.replace(' ', "_")));
            error.insert(
                "detail".into(),
                json!(detail.unwrap_or("The request could not be completed.")),
            );
        } else {
            error.insert("title".into(), json!(title));
            if let Some(detail) = detail {
                error.insert("detail".into(), json!(detail));
            }
        }
        let mut doc = json!({ "errors": [Value::Object(error)] });
        if self.has(Fault::ErrorsWithData) {
            doc["data"] = Value::Null;
        }
        Reply {
            status,
            body: Body::Json(doc),
        }
    }

    pub fn not_found(&self) -> Reply {
        self.error(404, "not found", None)
    }

    fn unauthorized(&self) -> Reply {
        if self.has(Fault::UnauthorizedPlainText) {
            return Reply {
                status: 401,
                body: Body::PlainText("unauthorized"),
            };
        }
        self.error(401, "unauthorized", None)
    }

    /// 404 for an organization other than ours (or 403 under the fault).
    fn unknown_organization(&self) -> Reply {
        if self.has(Fault::UnknownOrganization403) {
            self.error(403, "forbidden", None)
        } else {
            self.not_found()
        }
    }

    // ----- authentication and preconditions -----------------------------------------------

    /// Resolves the bearer token, or answers 401.
    pub fn authenticate(&mut self, headers: &HeaderMap) -> Result<Principal, Reply> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(if self.has(Fault::MissingToken404) {
                self.not_found()
            } else {
                self.unauthorized()
            });
        };
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let Some(secret) = secret else {
            return Err(self.unauthorized());
        };
        let Some(id) = self.by_secret.get(secret).cloned() else {
            return Err(if self.has(Fault::UnknownToken403) {
                self.error(403, "forbidden", None)
            } else {
                self.unauthorized()
            });
        };
        let now = Utc::now();
        let new_secret_unusable = self.has(Fault::NewSecretUnusable);
        let keeps_deleted = self.has(Fault::DeleteKeepsSecret);
        let keeps_replaced = self.has(Fault::RotationKeepsOldToken);
        let token = self
            .tokens
            .get_mut(&id)
            .expect("secret index is consistent");
        let usable = match token.life {
            Life::Live => true,
            Life::Deleted => keeps_deleted,
            Life::Replaced => keeps_replaced,
        } && token.expired_at.is_none_or(|t| t > now)
            && !(new_secret_unusable && token.principal == Principal::Organization);
        if !usable {
            return Err(self.unauthorized());
        }
        token.last_used_at = Some(now);
        Ok(token.principal.clone())
    }

    /// POST, PATCH and DELETE must say `Content-Type: application/vnd.api+json`.
    pub fn require_json_api(&self, method: &Method, headers: &HeaderMap) -> Result<(), Reply> {
        if !matches!(*method, Method::POST | Method::PATCH | Method::DELETE)
            || self.has(Fault::ContentTypeIgnored)
        {
            return Ok(());
        }
        let essence = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        if essence.as_deref() == Some(JSON_API) {
            Ok(())
        } else {
            Err(self.error(
                415,
                "unsupported media type",
                Some("Content-Type must be application/vnd.api+json"),
            ))
        }
    }

    fn member(&self, p: &Principal) -> bool {
        match p {
            Principal::User(id) => *id == self.owner_id,
            Principal::Organization => true,
            Principal::Team(id) => self.teams.contains_key(id),
            Principal::AuditTrails => false,
        }
    }

    /// Owners, the owners team's token and the organization token (seed 002).
    fn owner_level(&self, p: &Principal) -> bool {
        match p {
            Principal::User(id) => *id == self.owner_id,
            Principal::Organization => true,
            Principal::Team(id) => *id == self.owners_team,
            Principal::AuditTrails => false,
        }
    }

    // ----- fixtures -----------------------------------------------------------------------

    pub fn account_details(&self, p: &Principal) -> Reply {
        let Principal::User(id) = p else {
            return self.not_found();
        };
        self.ok(
            200,
            json!({"data": {"id": id, "type": "users", "attributes": {
                "username": "owner", "email": "owner@example.com", "is-service-account": false}}}),
        )
    }

    pub fn show_organization(&self, p: &Principal, org: &str) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        if !self.member(p) {
            return self.not_found();
        }
        let mut doc = json!({"data": {"id": org, "type": "organizations", "attributes": {
            "name": org, "email": "owner@example.com",
            "created-at": self.time(self.organization_created)}}});
        if self.quirk(Quirk::ExtraFields) {
            doc["data"]["links"] = json!({"self": format!("/api/v2/organizations/{org}")});
        }
        self.ok(200, doc)
    }

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
            return self.not_found();
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
        if !self.owner_level(p) {
            return self.not_found();
        }
        let doc = match self.parse(body) {
            Ok(doc) => doc,
            Err(reply) => return reply,
        };
        let Some(name) = doc.pointer("/data/attributes/name").and_then(Value::as_str) else {
            return self.error(422, "invalid attribute", Some("Name can't be blank"));
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return self.error(422, "invalid attribute", Some("Name is invalid"));
        }
        if self.teams.values().any(|t| t.name == name) {
            return self.error(
                422,
                "invalid attribute",
                Some("Name has already been taken"),
            );
        }
        let team = Team {
            id: format!("team-{}", random(16)),
            name: name.to_string(),
            created_at: Utc::now(),
        };
        let doc = json!({"data": self.team_json(&team)});
        self.teams.insert(team.id.clone(), team);
        self.ok(201, doc)
    }

    pub fn show_team(&self, p: &Principal, id: &str) -> Reply {
        match self.teams.get(id) {
            Some(team) if self.member(p) => self.ok(200, json!({"data": self.team_json(team)})),
            _ => self.not_found(),
        }
    }

    pub fn delete_team(&mut self, p: &Principal, id: &str) -> Reply {
        if !self.teams.contains_key(id) || !self.owner_level(p) {
            return self.not_found();
        }
        if id == self.owners_team {
            return self.error(
                422,
                "invalid attribute",
                Some("The owners team cannot be deleted"),
            );
        }
        self.teams.remove(id);
        let ids: Vec<String> = self
            .tokens
            .values()
            .filter(|t| t.principal == Principal::Team(id.to_string()))
            .map(|t| t.id.clone())
            .collect();
        for token in ids {
            self.revoke(&token, Life::Deleted);
        }
        self.no_content()
    }

    // ----- organization tokens ------------------------------------------------------------

    fn slot(&self, query: &HashMap<String, String>) -> Option<Slot> {
        match query.get("token").map(String::as_str) {
            None => Some(Slot::Default),
            Some("audit-trails") if self.profile == Profile::Hcp => Some(Slot::AuditTrails),
            Some(_) => None,
        }
    }

    fn slot_token(&self, slot: Slot) -> Option<&String> {
        match slot {
            Slot::Default => self.org_token.as_ref(),
            Slot::AuditTrails => self.audit_token.as_ref(),
        }
    }

    fn org_token_gate(
        &self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Result<Slot, Reply> {
        if org != self.organization {
            return Err(self.unknown_organization());
        }
        if !self.owner_level(p) {
            return Err(self.not_found());
        }
        self.slot(query).ok_or_else(|| self.not_found())
    }

    pub fn create_org_token(
        &mut self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
        body: &[u8],
    ) -> Reply {
        let slot = match self.org_token_gate(p, org, query) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let requested = match self.token_request(body) {
            Ok(expiry) => expiry,
            Err(reply) => return reply,
        };
        let now = Utc::now();
        let expired_at = match requested {
            Some(_) if self.has(Fault::ExpiryIgnored) => self.default_expiry(slot, now),
            Some(t) => Some(t),
            None => self.default_expiry(slot, now),
        };
        if let Some(old) = self.slot_token(slot).cloned() {
            self.revoke(&old, Life::Replaced);
        }
        let id = self.token_id();
        let creator = match p {
            Principal::User(id) => (id.clone(), "users"),
            Principal::Team(id) => (id.clone(), "teams"),
            _ => (self.organization.clone(), "organizations"),
        };
        let token = Token {
            id: id.clone(),
            secret: new_secret(),
            principal: match slot {
                Slot::Default => Principal::Organization,
                Slot::AuditTrails => Principal::AuditTrails,
            },
            created_at: now,
            expired_at,
            last_used_at: None,
            created_by: creator,
            life: Life::Live,
        };
        let doc = self.token_doc(&token, true);
        self.insert_token(token);
        match slot {
            Slot::Default => self.org_token = Some(id),
            Slot::AuditTrails => self.audit_token = Some(id),
        }
        let status = if self.has(Fault::CreateStatus200) {
            200
        } else {
            201
        };
        self.ok(status, doc)
    }

    pub fn show_org_token(
        &self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        let slot = match self.org_token_gate(p, org, query) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let Some(id) = self.slot_token(slot) else {
            if slot == Slot::Default
                && self.has(Fault::ReadAfterDelete200)
                && let Some(id) = &self.deleted_org_token
            {
                return self.ok(200, self.token_doc(&self.tokens[id], false));
            }
            return self.not_found();
        };
        let token = &self.tokens[id];
        let mut doc = self.token_doc(token, self.has(Fault::ReadShowsSecret));
        if self.has(Fault::ReadWrongId) {
            doc["data"]["id"] = json!(format!("{}0", token.id));
        }
        let status = if self.has(Fault::ReadStatus201) {
            201
        } else {
            200
        };
        self.ok(status, doc)
    }

    pub fn delete_org_token(
        &mut self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        let slot = match self.org_token_gate(p, org, query) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let Some(id) = self.slot_token(slot).cloned() else {
            return if self.has(Fault::SecondDelete204) {
                self.no_content()
            } else {
                self.not_found()
            };
        };
        self.revoke(&id, Life::Deleted);
        match slot {
            Slot::Default => {
                self.org_token = None;
                self.deleted_org_token = Some(id.clone());
            }
            Slot::AuditTrails => self.audit_token = None,
        }
        if self.has(Fault::DeleteStatus200) {
            return self.ok(200, self.token_doc(&self.tokens[&id], false));
        }
        self.no_content()
    }

    fn default_expiry(&self, slot: Slot, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let never = slot == Slot::AuditTrails
            || self.profile == Profile::Legacy
            || self.has(Fault::NoDefaultExpiry);
        if never {
            None
        } else {
            now.checked_add_months(Months::new(24))
        }
    }

    /// Reads a token-creation body: none at all, or a document whose optional
    /// `attributes.expired-at` is in the future. Answers 400/422 otherwise.
    fn token_request(&self, body: &[u8]) -> Result<Option<DateTime<Utc>>, Reply> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let doc = self.parse(body)?;
        if self.has(Fault::StrictRequestType)
            && doc.pointer("/data/type").and_then(Value::as_str) != Some("authentication-token")
        {
            return Err(self.error(
                422,
                "invalid attribute",
                Some("type must be authentication-token"),
            ));
        }
        let Some(raw) = doc.pointer("/data/attributes/expired-at") else {
            return Ok(None);
        };
        if raw.is_null() {
            return Ok(None);
        }
        let Some(expiry) = raw.as_str().and_then(parse_time) else {
            return Err(self.error(
                422,
                "invalid attribute",
                Some("Expired at is not a valid date-time"),
            ));
        };
        if expiry <= Utc::now() && !self.has(Fault::PastExpiryAccepted) {
            return Err(self.error(
                422,
                "invalid attribute",
                Some("Expired at must be in the future"),
            ));
        }
        Ok(Some(expiry))
    }

    /// A JSON:API request document: 400 if it is not JSON, 422 if it has no `data` object.
    fn parse(&self, body: &[u8]) -> Result<Value, Reply> {
        let Ok(doc) = serde_json::from_slice::<Value>(body) else {
            return Err(if self.has(Fault::MalformedBody500) {
                self.error(500, "internal server error", None)
            } else {
                self.error(
                    400,
                    "bad request",
                    Some("The request body is not valid JSON"),
                )
            });
        };
        if !doc.get("data").is_some_and(Value::is_object) {
            return Err(self.error(
                422,
                "invalid document",
                Some("The document has no data object"),
            ));
        }
        Ok(doc)
    }

    fn insert_token(&mut self, token: Token) {
        self.by_secret
            .insert(token.secret.clone(), token.id.clone());
        self.tokens.insert(token.id.clone(), token);
    }

    /// The token stops authenticating (unless a fault keeps it).
    fn revoke(&mut self, id: &str, life: Life) {
        if let Some(token) = self.tokens.get_mut(id) {
            token.life = life;
        }
    }

    fn token_doc(&self, token: &Token, with_secret: bool) -> Value {
        let secret = match (with_secret, self.has(Fault::EmptySecret)) {
            (false, _) => Value::Null,
            (true, true) => json!(""),
            (true, false) => json!(token.secret),
        };
        let mut attributes = Map::new();
        attributes.insert("created-at".into(), json!(self.time(token.created_at)));
        attributes.insert("token".into(), secret);
        if !self.has(Fault::AttributesMissing) {
            attributes.insert("last-used-at".into(), self.opt_time(token.last_used_at));
            attributes.insert("description".into(), Value::Null);
        }
        // The seeds' documents have no expired-at; later servers always send it.
        if token.expired_at.is_some() || self.profile != Profile::Legacy {
            attributes.insert("expired-at".into(), self.opt_time(token.expired_at));
        }
        let mut relationships = Map::new();
        if !self.has(Fault::AttributesMissing) {
            relationships.insert(
                "created-by".into(),
                json!({"data": {"id": token.created_by.0, "type": token.created_by.1}}),
            );
        }
        let kind = if self.has(Fault::TokenTypeSingular) {
            "authentication-token"
        } else {
            "authentication-tokens"
        };
        let mut data = json!({"id": token.id, "type": kind,
            "attributes": Value::Object(attributes),
            "relationships": Value::Object(relationships)});
        if self.quirk(Quirk::ExtraFields) {
            data["attributes"]["permissions"] = json!({"can-destroy": true});
            data["links"] = json!({"self": format!("/api/v2/authentication-tokens/{}", token.id)});
        }
        let mut doc = json!({ "data": data });
        if self.quirk(Quirk::ExtraFields) {
            doc["meta"] = json!({"served-by": "reference"});
        }
        doc
    }
}

/// RFC 3339, or a date-time without a zone (pytfe sends those), taken as UTC.
fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

fn random(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn new_secret() -> String {
    format!("{}.atlasv1.{}", random(14), random(67))
}

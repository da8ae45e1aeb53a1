//! The reference server's model and behaviour, without HTTP: who a token belongs to, who may
//! do what, and the documents real TFE answers with. Faults and quirks are applied here, at
//! the one place each decision is made.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Months, SecondsFormat, Utc};
use http::{HeaderMap, Method, header};
use rand::{Rng, SeedableRng, rngs::StdRng};
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

/// What a token is; `owner` on `Token` says whose (team or user id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Organization,
    AuditTrails,
    /// The one token of a team (seed 003).
    LegacyTeam,
    /// One of a team's several tokens.
    Team,
    User,
}

#[derive(Clone, Debug)]
struct Token {
    id: String,
    secret: String,
    kind: Kind,
    /// Team id for team tokens, user id for user tokens, empty otherwise.
    owner: String,
    description: Option<String>,
    created_at: DateTime<Utc>,
    expired_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    created_by: (String, &'static str),
    life: Life,
}

impl Token {
    fn principal(&self) -> Principal {
        match self.kind {
            Kind::Organization => Principal::Organization,
            Kind::AuditTrails => Principal::AuditTrails,
            Kind::LegacyTeam | Kind::Team => Principal::Team(self.owner.clone()),
            Kind::User => Principal::User(self.owner.clone()),
        }
    }

    fn is_team_token(&self) -> bool {
        matches!(self.kind, Kind::LegacyTeam | Kind::Team)
    }
}

#[derive(Clone, Debug)]
struct Team {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
    legacy_token: Option<String>,
}

/// What a token-creation request asked for.
struct TokenRequest {
    expiry: Option<DateTime<Utc>>,
    description: Option<String>,
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
    owner_secret: String,
    org_token: Option<String>,
    audit_token: Option<String>,
    /// The document of the last deleted organization token (for `read-after-delete-200`).
    deleted_org_token: Option<String>,
    next_number: u64,
    /// Where ids and secrets come from: seeded, a server mints the same ones for the same
    /// requests in the same order.
    rng: StdRng,
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
            owner_secret: config.owner_token.clone(),
            org_token: None,
            audit_token: None,
            deleted_org_token: None,
            next_number: 4_111_700,
            rng: match config.seed {
                Some(seed) => StdRng::seed_from_u64(seed),
                None => StdRng::from_os_rng(),
            },
        };
        state.owner_id = format!("user-{}", state.random(16));
        let owners = Team {
            id: format!("team-{}", state.random(16)),
            name: "owners".into(),
            created_at: now,
            legacy_token: None,
        };
        state.owners_team = owners.id.clone();
        state.teams.insert(owners.id.clone(), owners);
        let id = state.token_id();
        state.insert_token(Token {
            id,
            secret: config.owner_token.clone(),
            kind: Kind::User,
            owner: state.owner_id.clone(),
            description: Some("the owner's token".into()),
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

    fn random(&mut self, len: usize) -> String {
        (&mut self.rng)
            .sample_iter(rand::distr::Alphanumeric)
            .take(len)
            .map(char::from)
            .collect()
    }

    fn new_secret(&mut self) -> String {
        format!("{}.atlasv1.{}", self.random(14), self.random(67))
    }

    fn token_id(&mut self) -> String {
        if self.quirk(Quirk::NumericIds) {
            self.next_number += 1;
            self.next_number.to_string()
        } else {
            format!("at-{}", self.random(16))
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

    /// What a valid token gets for something that exists but that it may not touch: 404, as
    /// for something that does not exist (unless a fault says otherwise).
    fn forbidden(&self) -> Reply {
        if self.has(Fault::Forbidden403) {
            self.error(403, "forbidden", None)
        } else if self.has(Fault::LeakyNotFound) {
            self.error(
                404,
                "not found",
                Some("This resource exists, but you may not access it"),
            )
        } else {
            self.not_found()
        }
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
            return Err(if self.has(Fault::MalformedAuth400) {
                self.error(400, "bad request", Some("malformed Authorization header"))
            } else {
                self.unauthorized()
            });
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
        let user_token_unusable = self.has(Fault::UserTokenUnusable);
        let owner_secret = self.owner_secret.clone();
        let token = &self.tokens[&id];
        let keeps_deleted = match token.kind {
            Kind::Organization | Kind::AuditTrails => self.has(Fault::DeleteKeepsSecret),
            Kind::LegacyTeam => self.has(Fault::TeamTokenDeleteIgnored),
            Kind::Team | Kind::User => self.has(Fault::TokenDeleteKeepsSecret),
        };
        let keeps_replaced = match token.kind {
            Kind::Organization | Kind::AuditTrails => self.has(Fault::RotationKeepsOldToken),
            Kind::LegacyTeam => self.has(Fault::TeamRotationKeepsOldToken),
            Kind::Team | Kind::User => false,
        };
        let token = self
            .tokens
            .get_mut(&id)
            .expect("secret index is consistent");
        let usable = match token.life {
            Life::Live => true,
            Life::Deleted => keeps_deleted,
            Life::Replaced => keeps_replaced,
        } && token.expired_at.is_none_or(|t| t > now)
            && !(new_secret_unusable && token.kind == Kind::Organization)
            && !(user_token_unusable && token.kind == Kind::User && token.secret != owner_secret);
        if !usable {
            return Err(self.unauthorized());
        }
        token.last_used_at = Some(now);
        Ok(token.principal())
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

    /// Under `users-cannot-create-tokens`, a user's token may not create team or user tokens.
    fn user_creation_refused(&self, p: &Principal) -> bool {
        self.has(Fault::UsersCannotCreateTokens) && matches!(p, Principal::User(_))
    }

    /// Under `outsider-can-write`, any team's token passes for an owner when it writes.
    fn outsider_writes(&self, p: &Principal) -> bool {
        self.has(Fault::OutsiderCanWrite) && matches!(p, Principal::Team(_))
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
            return self.forbidden();
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
        if !self.owner_level(p) {
            return self.forbidden();
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
            id: format!("team-{}", self.random(16)),
            name: name.to_string(),
            created_at: Utc::now(),
            legacy_token: None,
        };
        let doc = json!({"data": self.team_json(&team)});
        self.teams.insert(team.id.clone(), team);
        self.ok(201, doc)
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
        if !self.owner_level(p) {
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
            self.revoke(&token, Life::Deleted);
        }
        self.no_content()
    }

    // ----- organization and audit-trails tokens -----------------------------------------

    fn slot(&self, query: &HashMap<String, String>) -> Option<Slot> {
        match query.get("token").map(String::as_str) {
            None => Some(Slot::Default),
            Some("audit-trails") if self.profile == Profile::Hcp => {
                if self.has(Fault::AuditSharesOrganizationToken) {
                    Some(Slot::Default)
                } else {
                    Some(Slot::AuditTrails)
                }
            }
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
        write: bool,
    ) -> Result<Slot, Reply> {
        if org != self.organization {
            return Err(self.unknown_organization());
        }
        if !(self.owner_level(p) || write && self.outsider_writes(p)) {
            return Err(self.forbidden());
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
        let slot = match self.org_token_gate(p, org, query, true) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let audit = query.contains_key("token");
        let request = match self.token_request(body, self.has(Fault::StrictRequestType)) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        let expiry = match request.expiry {
            Some(_) if self.has(Fault::ExpiryIgnored) => None,
            requested => requested,
        };
        let never_expires = audit && !self.has(Fault::AuditExpiresByDefault);
        if let Some(old) = self.slot_token(slot).cloned() {
            self.revoke(&old, Life::Replaced);
        }
        let kind = if slot == Slot::AuditTrails {
            Kind::AuditTrails
        } else {
            Kind::Organization
        };
        let token = self.mint(kind, String::new(), None, expiry, never_expires, p);
        let doc = self.token_doc(&token, true);
        let id = token.id.clone();
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
        let slot = match self.org_token_gate(p, org, query, false) {
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
        let slot = match self.org_token_gate(p, org, query, true) {
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

    // ----- team tokens ------------------------------------------------------------------

    /// The team, if it exists and `p` may manage its tokens; 404 (or 500 under the fault)
    /// otherwise.
    fn managed_team(&self, p: &Principal, team_id: &str, write: bool) -> Result<(), Reply> {
        if !self.teams.contains_key(team_id) {
            return Err(if self.has(Fault::UnknownTeam500) {
                self.error(500, "internal server error", None)
            } else {
                self.not_found()
            });
        }
        if !(self.owner_level(p) || write && self.outsider_writes(p)) {
            return Err(self.forbidden());
        }
        Ok(())
    }

    /// Team token creation: the team must be managed by `p`.
    fn may_create_team_token(&self, p: &Principal, team_id: &str) -> Result<(), Reply> {
        self.managed_team(p, team_id, true)?;
        if self.user_creation_refused(p) {
            return Err(self.not_found());
        }
        Ok(())
    }

    pub fn create_team_token(&mut self, p: &Principal, team_id: &str, body: &[u8]) -> Reply {
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
        if let Some(old) = self.teams[team_id].legacy_token.clone() {
            self.revoke(&old, Life::Replaced);
        }
        let token = self.mint(
            Kind::LegacyTeam,
            team_id.to_string(),
            None,
            expiry,
            false,
            p,
        );
        let doc = self.token_doc(&token, true);
        if let Some(team) = self.teams.get_mut(team_id) {
            team.legacy_token = Some(token.id.clone());
        }
        self.insert_token(token);
        self.ok(201, doc)
    }

    pub fn show_team_token(&self, p: &Principal, team_id: &str) -> Reply {
        if let Err(reply) = self.managed_team(p, team_id, false) {
            return reply;
        }
        if self.has(Fault::TokenReads404) {
            return self.not_found();
        }
        match &self.teams[team_id].legacy_token {
            Some(id) => self.ok(
                200,
                self.token_doc(&self.tokens[id], self.has(Fault::TeamTokenReadShowsSecret)),
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
            return self.error(
                422,
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
        let token = self.mint(
            Kind::Team,
            team_id.to_string(),
            request.description,
            request.expiry,
            false,
            p,
        );
        let doc = self.token_doc(&token, true);
        self.insert_token(token);
        self.ok(201, doc)
    }

    fn team_tokens_served(&self) -> bool {
        self.profile != Profile::Legacy
    }

    /// Team and user tokens by id: owner-level callers see team tokens, a user sees only
    /// their own user tokens. `Err` is the answer for a token that is missing or forbidden.
    fn visible_token(&self, p: &Principal, id: &str, write: bool) -> Result<&Token, Reply> {
        let Some(token) = self.tokens.get(id).filter(|t| t.life == Life::Live) else {
            return Err(self.unknown_token_id());
        };
        let visible = match token.kind {
            Kind::LegacyTeam | Kind::Team => {
                self.teams.contains_key(&token.owner)
                    && (self.owner_level(p) || write && self.outsider_writes(p))
            }
            Kind::User => {
                *p == Principal::User(token.owner.clone())
                    || (self.has(Fault::UserTokensVisibleToTeams)
                        && matches!(p, Principal::Team(_)))
            }
            Kind::Organization | Kind::AuditTrails => return Err(self.unknown_token_id()),
        };
        if visible {
            Ok(token)
        } else {
            Err(self.forbidden())
        }
    }

    fn unknown_token_id(&self) -> Reply {
        if self.has(Fault::UnknownTokenId403) {
            self.error(403, "forbidden", None)
        } else {
            self.not_found()
        }
    }

    pub fn show_token(&self, p: &Principal, id: &str) -> Reply {
        if self.has(Fault::TokenReads404) {
            return self.not_found();
        }
        match self.visible_token(p, id, false) {
            Ok(token) => self.ok(
                200,
                self.token_doc(token, self.has(Fault::TokenShowRevealsSecret)),
            ),
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
        if !self.has(Fault::TokenDeleteKeepsSecret) {
            self.revoke(id, Life::Deleted);
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
        if !self.owner_level(p) {
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
            .filter(|t| t.is_team_token() && t.life == Life::Live)
            .filter(|t| {
                let name = self
                    .teams
                    .get(&t.owner)
                    .map(|team| team.name.to_ascii_lowercase());
                match (&q, name) {
                    (_, None) => false,
                    (None, Some(_)) => true,
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
        self.ok(200, self.page(data, query, &base, true))
    }

    pub fn delete_team_tokens(&mut self, p: &Principal, org: &str, body: &[u8]) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        if !self.member(p) {
            return self.forbidden();
        }
        if !(self.owner_level(p) || self.outsider_writes(p)) {
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
                let owner = self.tokens[id].owner.clone();
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
        self.ok(200, self.page(data, query, &base, paginated))
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
        let request = match self.token_request(body, false) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        let token = self.mint(
            Kind::User,
            user_id.to_string(),
            request.description,
            request.expiry,
            false,
            p,
        );
        let doc = self.token_doc(&token, true);
        self.insert_token(token);
        self.ok(201, doc)
    }

    // ----- shared -----------------------------------------------------------------------

    /// A list document: every item when not paginated, else one page with links and meta.
    fn page(
        &self,
        data: Vec<Value>,
        query: &HashMap<String, String>,
        base: &str,
        paginated: bool,
    ) -> Value {
        if !paginated {
            return json!({ "data": data });
        }
        let size = query
            .get("page[size]")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|s| *s > 0)
            .unwrap_or(20)
            .min(100);
        let total = data.len();
        let pages = total.div_ceil(size).max(1);
        let number = query
            .get("page[number]")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(1);
        let items: Vec<Value> = data
            .into_iter()
            .skip((number - 1) * size)
            .take(size)
            .collect();
        let mut extra = String::new();
        for key in ["q", "sort", "filter[status]"] {
            if let Some(v) = query.get(key) {
                extra.push_str(&format!("&{}={}", encode_query(key), encode_query(v)));
            }
        }
        let link = |n: usize| format!("{base}?page%5Bnumber%5D={n}&page%5Bsize%5D={size}{extra}");
        let prev = (number > 1).then(|| number - 1);
        let next = (number < pages).then(|| number + 1);
        let reported_total = if self.has(Fault::PaginationOffByOne) {
            total + 1
        } else {
            total
        };
        json!({
            "data": items,
            "links": {
                "self": link(number), "first": link(1), "last": link(pages),
                "prev": prev.map(link), "next": next.map(link),
            },
            "meta": {"pagination": {
                "current-page": number, "page-size": size, "prev-page": prev, "next-page": next,
                "total-pages": pages, "total-count": reported_total,
            }},
        })
    }

    fn default_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.profile == Profile::Legacy || self.has(Fault::NoDefaultExpiry) {
            None
        } else {
            now.checked_add_months(Months::new(24))
        }
    }

    /// A new token (not yet stored).
    fn mint(
        &mut self,
        kind: Kind,
        owner: String,
        description: Option<String>,
        expiry: Option<DateTime<Utc>>,
        never_expires: bool,
        creator: &Principal,
    ) -> Token {
        let now = Utc::now();
        let expired_at = match expiry {
            Some(t) => Some(t),
            None if never_expires => None,
            None => self.default_expiry(now),
        };
        let created_by = match creator {
            Principal::User(id) => (id.clone(), "users"),
            Principal::Team(id) => (id.clone(), "teams"),
            _ => (self.organization.clone(), "organizations"),
        };
        Token {
            id: self.token_id(),
            secret: self.new_secret(),
            kind,
            owner,
            description,
            created_at: now,
            expired_at,
            last_used_at: None,
            created_by,
            life: Life::Live,
        }
    }

    /// Reads a token-creation body: none at all, or a document with optional
    /// `attributes.expired-at` (in the future) and `attributes.description`. 400/422 otherwise.
    fn token_request(&self, body: &[u8], strict_type: bool) -> Result<TokenRequest, Reply> {
        let mut request = TokenRequest {
            expiry: None,
            description: None,
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(request);
        }
        let doc = self.parse(body)?;
        if strict_type
            && doc.pointer("/data/type").and_then(Value::as_str) != Some("authentication-token")
        {
            return Err(self.error(
                422,
                "invalid attribute",
                Some("type must be authentication-token"),
            ));
        }
        request.description = doc
            .pointer("/data/attributes/description")
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(raw) = doc
            .pointer("/data/attributes/expired-at")
            .filter(|v| !v.is_null())
        else {
            return Ok(request);
        };
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
        request.expiry = Some(expiry);
        Ok(request)
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
        let description = match &token.description {
            Some(d) if !self.has(Fault::DescriptionDropped) => json!(d),
            _ => Value::Null,
        };
        let mut attributes = Map::new();
        attributes.insert("created-at".into(), json!(self.time(token.created_at)));
        attributes.insert("token".into(), secret);
        if !self.has(Fault::AttributesMissing) {
            attributes.insert("last-used-at".into(), self.opt_time(token.last_used_at));
            attributes.insert("description".into(), description);
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
        // Seed 003's legacy team token names no team; current servers do (ref §2).
        let seeds_shape = self.profile == Profile::Legacy && token.kind == Kind::LegacyTeam;
        if token.is_team_token() && !seeds_shape && !self.has(Fault::TeamRelationshipMissing) {
            relationships.insert(
                "team".into(),
                json!({"data": {"id": token.owner, "type": "teams"}}),
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

    pub fn inventory(&self) -> super::Inventory {
        let mut teams: Vec<String> = self.teams.values().map(|t| t.name.clone()).collect();
        teams.sort();
        let mut tokens: Vec<String> = self
            .tokens
            .values()
            .filter(|t| t.life == Life::Live)
            .map(|t| format!("{:?} {}", t.kind, t.id))
            .collect();
        tokens.sort();
        super::Inventory { teams, tokens }
    }

    /// Whether the routes the seeds' era did not have are served.
    pub fn serves_later_routes(&self) -> bool {
        self.team_tokens_served()
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

fn encode_query(raw: &str) -> String {
    let mut out = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

//! The model: replies, principals, tokens and teams, and the `State` that holds them, with
//! its constructor and the small helpers every part uses (faults and quirks, ids, time).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::Value;

use super::{Config, Fault, Profile, Quirk};

pub(super) const JSON_API: &str = "application/vnd.api+json";

/// What a handler answers; `api` turns it into HTTP.
pub struct Reply {
    pub status: u16,
    pub body: Body,
}

pub enum Body {
    None,
    Json(Value),
    PlainText(std::borrow::Cow<'static, str>),
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
pub(super) enum Slot {
    Default,
    AuditTrails,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Life {
    Live,
    Deleted,
    Replaced,
}

/// What a token is; `owner` on `Token` says whose (team or user id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Organization,
    AuditTrails,
    /// The one token of a team (seed 003).
    LegacyTeam,
    /// One of a team's several tokens.
    Team,
    User,
    /// One of an agent pool's tokens: agents register with it; it is no API credential
    /// (api-tokens docs: "not valid for direct usage in the HCP Terraform API").
    Agent,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) id: String,
    pub(super) secret: String,
    pub(super) kind: Kind,
    /// Team id for team tokens, user id for user tokens, pool id for agent tokens, empty
    /// otherwise.
    pub(super) owner: String,
    pub(super) description: Option<String>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) expired_at: Option<DateTime<Utc>>,
    pub(super) last_used_at: Option<DateTime<Utc>>,
    pub(super) created_by: (String, &'static str),
    pub(super) life: Life,
}

impl Token {
    /// Who the token acts as on the API; `None` for agent tokens, which act as no one there.
    pub(super) fn principal(&self) -> Option<Principal> {
        Some(match self.kind {
            Kind::Organization => Principal::Organization,
            Kind::AuditTrails => Principal::AuditTrails,
            Kind::LegacyTeam | Kind::Team => Principal::Team(self.owner.clone()),
            Kind::User => Principal::User(self.owner.clone()),
            Kind::Agent => return None,
        })
    }

    pub(super) fn is_team_token(&self) -> bool {
        matches!(self.kind, Kind::LegacyTeam | Kind::Team)
    }
}

#[derive(Clone, Debug)]
pub(super) struct Team {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) legacy_token: Option<String>,
    /// Its organization access includes "manage teams" (teams API docs: organization-access
    /// on create).
    pub(super) manage_teams: bool,
}

/// An agent pool: it holds agent tokens, and takes them along when it is deleted.
#[derive(Clone, Debug)]
pub(super) struct AgentPool {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) organization_scoped: bool,
}

/// What a token-creation request asked for.
pub(super) struct TokenRequest {
    pub(super) expiry: Option<DateTime<Utc>>,
    pub(super) description: Option<String>,
}

pub struct State {
    /// `Modes::climbing_ids`: hand out ids that climb (a hostile server).
    climbing_ids: bool,
    /// `Modes::dot_ids`: new teams are called `..` (a hostile server).
    pub(super) dot_ids: bool,
    /// `Modes::plain_unknown_routes`: a route the server lacks gets a plain-text 404.
    pub(super) plain_unknown_routes: bool,
    /// `Modes::foretell_secrets`: the secret the next mint will hand out, known (and told)
    /// before it is handed out; and every secret minted in that mode.
    pub(super) next_secret: Option<String>,
    minted_log: Vec<String>,
    pub(super) profile: Profile,
    faults: HashSet<Fault>,
    quirks: HashSet<Quirk>,
    pub(super) organization: String,
    pub(super) organization_created: DateTime<Utc>,
    pub(super) owner_id: String,
    pub(super) owners_team: String,
    pub(super) teams: BTreeMap<String, Team>,
    pub(super) agent_pools: BTreeMap<String, AgentPool>,
    /// Whether the organization has the agents entitlement (`Modes::no_agents` says not).
    pub(super) agents_entitled: bool,
    /// `Modes::fixtures_by_users_only`: a team's token may not create or delete teams and
    /// agent pools.
    pub(super) fixtures_by_users_only: bool,
    /// `Modes::no_organization_access`: a team's organization access is ignored.
    pub(super) no_organization_access: bool,
    /// Whether the organization has the audit-trails entitlement (`Modes::no_audit_trails`
    /// says not): without it the audit-trails token is a 404 (ref §5).
    pub(super) audit_trails_entitled: bool,
    pub(super) tokens: BTreeMap<String, Token>,
    pub(super) by_secret: HashMap<String, String>,
    pub(super) owner_secret: String,
    pub(super) org_token: Option<String>,
    pub(super) audit_token: Option<String>,
    /// The document of the last deleted organization token (for `read-after-delete-200`).
    pub(super) deleted_org_token: Option<Value>,
    /// The same of the audit-trails token (for `audit-read-after-delete-200`).
    pub(super) deleted_audit_token: Option<Value>,
    /// Per team, the id of its token deleted last (for `deleted-id-reused`).
    pub(super) reusable_ids: HashMap<String, String>,
    /// Per slot (`"org"`, `"audit"` or a team's id), the token its last rotation replaced
    /// (for `rotation-resurrects`).
    pub(super) replaced_last: HashMap<String, String>,
    /// The token a rotation under `rotation-race` took for current when it began (`Some(None)`:
    /// none), set by the HTTP layer after its pause and taken first thing by the rotation, so
    /// that no other request sees it.
    pub(super) seen_at_start: Option<Option<String>>,
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
            climbing_ids: config.modes.climbing_ids,
            dot_ids: config.modes.dot_ids,
            plain_unknown_routes: config.modes.plain_unknown_routes,
            next_secret: None,
            minted_log: Vec::new(),
            organization: config.organization.clone(),
            organization_created: now,
            owner_id: String::new(),
            owners_team: String::new(),
            teams: BTreeMap::new(),
            agent_pools: BTreeMap::new(),
            agents_entitled: !config.modes.no_agents,
            audit_trails_entitled: !config.modes.no_audit_trails,
            fixtures_by_users_only: config.modes.fixtures_by_users_only,
            no_organization_access: config.modes.no_organization_access,
            tokens: BTreeMap::new(),
            by_secret: HashMap::new(),
            owner_secret: config.owner_token.clone(),
            org_token: None,
            audit_token: None,
            deleted_org_token: None,
            deleted_audit_token: None,
            reusable_ids: HashMap::new(),
            replaced_last: HashMap::new(),
            seen_at_start: None,
            next_number: 4_111_700,
            rng: match config.seed {
                Some(seed) => StdRng::seed_from_u64(seed),
                None => StdRng::from_os_rng(),
            },
        };
        state.owner_id = format!("user-{}", state.id_value());
        if config.modes.foretell_secrets {
            state.next_secret = Some(state.fresh_secret());
        }
        let owners = Team {
            id: format!("team-{}", state.id_value()),
            name: "owners".into(),
            created_at: now,
            legacy_token: None,
            manage_teams: false,
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

    pub(super) fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    pub(super) fn quirk(&self, quirk: Quirk) -> bool {
        self.quirks.contains(&quirk)
    }

    // ----- identifiers, time --------------------------------------------------------------

    pub(super) fn random(&mut self, len: usize) -> String {
        (&mut self.rng)
            .sample_iter(rand::distr::Alphanumeric)
            .take(len)
            .map(char::from)
            .collect()
    }

    /// The value part of a new id: 16 letters and digits, or 16 base58 characters when ids
    /// are parsed (OTF's shape, ref §7).
    pub(super) fn id_value(&mut self) -> String {
        if self.climbing_ids {
            // A hostile server: ids that would climb out of their path segment, were a client
            // to leave `\` and `..` as they are, onto the organization token.
            let org = self.organization.clone();
            return format!(
                "{}\\..\\..\\..\\organizations\\{org}\\authentication-token",
                self.random(16)
            );
        }
        if !self.quirk(Quirk::ParsedIds) {
            return self.random(16);
        }
        const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        (0..16)
            .map(|_| char::from(BASE58[self.rng.random_range(0..BASE58.len())]))
            .collect()
    }

    /// Whether `id` has the shape this server gives ids of that kind (`prefix`, then the value
    /// part `id_value` makes; numeric token ids under `numeric-ids`).
    pub(super) fn well_formed(&self, prefix: &str, id: &str) -> bool {
        if prefix == "at-" && self.quirk(Quirk::NumericIds) {
            return !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        }
        let Some(value) = id.strip_prefix(prefix) else {
            return false;
        };
        let parsed = self.quirk(Quirk::ParsedIds);
        value.len() == 16
            && value.chars().all(|c| {
                c.is_ascii_alphanumeric() && !(parsed && matches!(c, '0' | 'O' | 'I' | 'l'))
            })
    }

    pub(super) fn new_secret(&mut self) -> String {
        let Some(next) = self.next_secret.take() else {
            return self.fresh_secret();
        };
        // Foretelling: the one told is handed out now, the following one is drawn.
        self.next_secret = Some(self.fresh_secret());
        self.minted_log.push(next.clone());
        next
    }

    fn fresh_secret(&mut self) -> String {
        format!("{}.atlasv1.{}", self.random(14), self.random(67))
    }

    pub(super) fn token_id(&mut self) -> String {
        if self.quirk(Quirk::NumericIds) {
            self.next_number += 1;
            self.next_number.to_string()
        } else {
            format!("at-{}", self.id_value())
        }
    }

    pub(super) fn time(&self, t: DateTime<Utc>) -> String {
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

    pub(super) fn opt_time(&self, t: Option<DateTime<Utc>>) -> Value {
        t.map_or(Value::Null, |t| Value::String(self.time(t)))
    }

    pub(super) fn insert_token(&mut self, token: Token) {
        self.by_secret
            .insert(token.secret.clone(), token.id.clone());
        self.tokens.insert(token.id.clone(), token);
    }

    /// The token stops authenticating (unless a fault keeps it). A dead token no fault
    /// needs is forgotten at once: a server that serves client developers for hours must not
    /// slow down or grow with every token it has ever minted.
    pub(super) fn revoke(&mut self, id: &str, life: Life) {
        let Some(token) = self.tokens.get_mut(id) else {
            return;
        };
        token.life = life;
        let kind = token.kind;
        // Under `unknown-token-403` a dead token must still be told from one never issued.
        let remembered = self.keeps_dead(kind, life)
            || self.has(Fault::UnknownToken403)
            || self.has(Fault::RevocationCached)
            || self.has(Fault::RotationResurrects);
        if !remembered && let Some(token) = self.tokens.remove(id) {
            self.by_secret.remove(&token.secret);
        }
    }

    /// A rotation of `slot` replaces `old`: it stops authenticating; under
    /// `rotation-resurrects` the token the slot's previous rotation replaced comes back.
    pub(super) fn replace(&mut self, slot: &str, old: &str) {
        self.revoke(old, Life::Replaced);
        if !self.has(Fault::RotationResurrects) {
            return;
        }
        let back = self.replaced_last.insert(slot.to_string(), old.to_string());
        if let Some(token) = back.and_then(|id| self.tokens.get_mut(&id)) {
            token.life = Life::Live;
        }
    }

    /// Under `rotation-race`, for a request that rotates an organization or legacy team token:
    /// the token current as it begins (`Some(None)`: none). The HTTP layer pauses, then hands
    /// it back (`rotation_resumes`).
    pub fn rotation_begins(
        &self,
        method: &http::Method,
        segments: &[&str],
        query: &HashMap<String, String>,
    ) -> Option<Option<String>> {
        if !self.has(Fault::RotationRace) || *method != http::Method::POST {
            return None;
        }
        match segments {
            ["organizations", _, "authentication-token"] => Some(
                self.slot(query)
                    .and_then(|slot| self.slot_token(slot).cloned()),
            ),
            ["teams", id, "authentication-token"] => {
                Some(self.teams.get(*id).and_then(|t| t.legacy_token.clone()))
            }
            _ => None,
        }
    }

    pub fn rotation_resumes(&mut self, seen: Option<String>) {
        self.seen_at_start = Some(seen);
    }

    /// Whether a fault lets a token of `kind` that died this way go on authenticating.
    pub(super) fn keeps_dead(&self, kind: Kind, life: Life) -> bool {
        match (life, kind) {
            (Life::Live, _) => true,
            (Life::Deleted, Kind::Organization | Kind::AuditTrails) => {
                self.has(Fault::DeleteKeepsSecret)
            }
            (Life::Deleted, Kind::LegacyTeam) => self.has(Fault::TeamTokenDeleteIgnored),
            (Life::Deleted, Kind::Team | Kind::User) => self.has(Fault::TokenDeleteKeepsSecret),
            (Life::Replaced, Kind::Organization | Kind::AuditTrails) => {
                self.has(Fault::RotationKeepsOldToken)
            }
            (Life::Replaced, Kind::LegacyTeam) => self.has(Fault::TeamRotationKeepsOldToken),
            (Life::Replaced, Kind::Team | Kind::User) => false,
            // A deleted agent token that stays readable is not kept alive by this: it was
            // never deleted (`agent-token-delete-ignored`).
            (Life::Deleted | Life::Replaced, Kind::Agent) => false,
        }
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
        let mut agent_pools: Vec<String> =
            self.agent_pools.values().map(|p| p.name.clone()).collect();
        agent_pools.sort();
        super::Inventory {
            teams,
            tokens,
            agent_pools,
            foretold_secrets_minted: self.minted_log.clone(),
            echoed_secrets: Vec::new(),
        }
    }
}

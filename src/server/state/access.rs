//! Authentication and who may do what: resolving the bearer token, the request's media type,
//! membership, owner level, and which teams and tokens a principal may manage or see.

use chrono::Utc;
use http::{HeaderMap, Method, header};

use super::model::{JSON_API, Kind, Life, Principal, Reply, State, Token};
use super::{Fault, Quirk};

impl State {
    // ----- authentication and preconditions -----------------------------------------------

    /// Resolves the bearer token, or answers 401. `caches`: the route answers from a stale
    /// cache of credentials (the `revocation-cached` fault's GET /account/details).
    pub fn authenticate(&mut self, headers: &HeaderMap, caches: bool) -> Result<Principal, Reply> {
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
        let Some(id) = self
            .by_secret
            .get(secret)
            .cloned()
            .or_else(|| self.loosely(secret))
        else {
            return Err(if self.has(Fault::UnknownToken403) {
                self.error(403, "forbidden", None)
            } else {
                self.unauthorized()
            });
        };
        let now = Utc::now();
        let new_secret_unusable = self.has(Fault::NewSecretUnusable);
        let user_token_unusable = self.has(Fault::UserTokenUnusable);
        let agent_secret_authenticates = self.has(Fault::AgentSecretAuthenticates);
        let owner_secret = self.owner_secret.clone();
        let token = &self.tokens[&id];
        let alive = self.keeps_dead(token.kind, token.life)
            || (caches && self.has(Fault::RevocationCached));
        // ref §4: a token past its expired-at gets 401, whatever its kind.
        let expiry_ignored = self.has(Fault::ExpiredTokensAuthenticate)
            || (token.kind == Kind::User && self.has(Fault::UserTokenExpiryIgnored));
        let token = self
            .tokens
            .get_mut(&id)
            .expect("secret index is consistent");
        let usable = alive
            && (expiry_ignored || token.expired_at.is_none_or(|t| t > now))
            && !(new_secret_unusable && token.kind == Kind::Organization)
            && !(user_token_unusable && token.kind == Kind::User && token.secret != owner_secret);
        if !usable {
            return Err(self.unauthorized());
        }
        token.last_used_at = Some(now);
        match token.principal() {
            Some(principal) => Ok(principal),
            // An agent token is no API credential (api-tokens docs), unless a fault says so.
            None if agent_secret_authenticates => Ok(Principal::Organization),
            None => Err(self.unauthorized()),
        }
    }

    /// Whose rate-limit bucket a request with this `Authorization` header takes from: a user
    /// token's user's (ref §6: TFE limits requests "per user"), else the header's own.
    pub fn rate_key(&self, authorization: &[u8]) -> Vec<u8> {
        let user = std::str::from_utf8(authorization)
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|secret| self.by_secret.get(secret.trim()))
            .and_then(|id| self.tokens.get(id))
            .filter(|t| t.kind == Kind::User);
        match user {
            Some(token) => format!("user {}", token.owner).into_bytes(),
            None => authorization.to_vec(),
        }
    }

    /// The token a careless comparison takes `secret` for (`secrets-case-insensitive`,
    /// `secrets-compared-by-prefix`), if a fault makes one.
    fn loosely(&self, secret: &str) -> Option<String> {
        let prefix = |s: &str| s.chars().take(60).collect::<String>();
        self.by_secret
            .iter()
            .find(|(real, _)| {
                (self.has(Fault::SecretsCaseInsensitive) && real.eq_ignore_ascii_case(secret))
                    || (self.has(Fault::SecretsComparedByPrefix)
                        && real.len() >= 60
                        && secret.len() >= 60
                        && prefix(real) == prefix(secret))
            })
            .map(|(_, id)| id.clone())
    }

    /// POST, PATCH and DELETE must say `Content-Type: application/vnd.api+json`.
    pub fn require_json_api(&self, method: &Method, headers: &HeaderMap) -> Result<(), Reply> {
        if !matches!(*method, Method::POST | Method::PATCH | Method::DELETE)
            || self.quirk(Quirk::ContentTypeNotEnforced)
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
        } else if essence.is_none() && self.has(Fault::ContentTypeMissing500) {
            Err(self.error(500, "internal server error", None))
        } else {
            Err(self.error(
                415,
                "unsupported media type",
                Some("Content-Type must be application/vnd.api+json"),
            ))
        }
    }

    pub(super) fn member(&self, p: &Principal) -> bool {
        match p {
            Principal::User(id) => *id == self.owner_id,
            Principal::Organization => true,
            Principal::Team(id) => self.teams.contains_key(id),
            Principal::AuditTrails => false,
        }
    }

    /// Under `users-cannot-create-tokens`, a user's token may not create team or user tokens.
    pub(super) fn user_creation_refused(&self, p: &Principal) -> bool {
        self.has(Fault::UsersCannotCreateTokens) && matches!(p, Principal::User(_))
    }

    /// Under `outsider-can-write`, any team's token passes for an owner when it writes.
    pub(super) fn outsider_writes(&self, p: &Principal) -> bool {
        self.has(Fault::OutsiderCanWrite) && matches!(p, Principal::Team(_))
    }

    /// Owners, the owners team's token and the organization token (seed 002).
    pub(super) fn owner_level(&self, p: &Principal) -> bool {
        match p {
            Principal::User(id) => *id == self.owner_id,
            Principal::Organization => true,
            Principal::Team(id) => *id == self.owners_team,
            Principal::AuditTrails => false,
        }
    }

    /// Whether `p` may create and delete teams and agent pools: owner level, but for a team's
    /// token under `Modes::fixtures_by_users_only`.
    pub(super) fn makes_fixtures(&self, p: &Principal) -> bool {
        self.owner_level(p) && !(self.fixtures_by_users_only && matches!(p, Principal::Team(_)))
    }

    /// Whether `p` is a token of a team with "manage teams" and `team_id` one whose tokens
    /// such a team manages (ref §5: team tokens are managed by "owners, the organization
    /// token, and users or teams with manage teams"). Not the owners team's: nothing says such
    /// a team may touch the tokens of the owners, so the reference server keeps them out of
    /// its reach (the harness never asks it to).
    pub(super) fn manages_tokens_of(&self, p: &Principal, team_id: &str) -> bool {
        let Principal::Team(caller) = p else {
            return false;
        };
        !self.no_organization_access
            && team_id != self.owners_team
            && self.teams.get(caller).is_some_and(|t| t.manage_teams)
    }

    /// The team, if it exists and `p` may manage its tokens; 404 (or 500 under the fault)
    /// otherwise.
    pub(super) fn managed_team(
        &self,
        p: &Principal,
        team_id: &str,
        write: bool,
    ) -> Result<(), Reply> {
        if !self.teams.contains_key(team_id) {
            return Err(if self.has(Fault::UnknownTeam500) {
                self.error(500, "internal server error", None)
            } else {
                self.not_found()
            });
        }
        if !(self.owner_level(p)
            || self.manages_tokens_of(p, team_id)
            || write && self.outsider_writes(p))
        {
            return Err(self.forbidden());
        }
        Ok(())
    }

    /// Team token creation: the team must be managed by `p`.
    pub(super) fn may_create_team_token(&self, p: &Principal, team_id: &str) -> Result<(), Reply> {
        self.managed_team(p, team_id, true)?;
        if self.user_creation_refused(p) {
            return Err(self.not_found());
        }
        Ok(())
    }

    /// Team, user and agent tokens by id: owner-level callers see team and agent tokens, a
    /// user sees only their own user tokens. `Err` is the answer for a token that is missing
    /// or forbidden.
    pub(super) fn visible_token(
        &self,
        p: &Principal,
        id: &str,
        write: bool,
    ) -> Result<&Token, Reply> {
        let Some(token) = self.tokens.get(id).filter(|t| t.life == Life::Live) else {
            return Err(self.unknown_token_id());
        };
        let visible = match token.kind {
            Kind::LegacyTeam | Kind::Team => {
                self.teams.contains_key(&token.owner)
                    && (self.owner_level(p)
                        || self.manages_tokens_of(p, &token.owner)
                        || write && self.outsider_writes(p))
            }
            Kind::User => {
                *p == Principal::User(token.owner.clone())
                    || (self.has(Fault::UserTokensVisibleToTeams)
                        && matches!(p, Principal::Team(_)))
            }
            Kind::Agent => {
                // `pool-deletion-keeps-tokens`: a token outlives its pool, and nothing asks
                // for the pool when it is read.
                (self.agent_pools.contains_key(&token.owner)
                    || self.has(Fault::PoolDeletionKeepsTokens))
                    && !self.refuses_for_agent_tokens(p)
                    && (self.owner_level(p)
                        || !write
                            && self.has(Fault::AgentTokenVisibleToOutsiders)
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
}

//! Documents: the token document, minting tokens, reading token-creation and JSON:API request
//! bodies, and list pages.

use std::collections::HashMap;

use chrono::{DateTime, Months, Utc};
use serde_json::{Map, Value, json};

use super::model::{Kind, Life, Principal, Reply, State, Token, TokenRequest};
use super::{Fault, Profile, Quirk};

impl State {
    // ----- shared -----------------------------------------------------------------------

    /// A list's answer: 200 with the page `page` makes (a server error past the last page
    /// under `page-past-end-500`).
    pub(super) fn page_reply(
        &self,
        data: Vec<Value>,
        query: &HashMap<String, String>,
        base: &str,
        paginated: bool,
    ) -> Reply {
        if self.has(Fault::PagePastEnd500) && paginated {
            let (number, size) = page_asked(query);
            if number > data.len().div_ceil(size).max(1) {
                return self.error(500, "internal server error", None);
            }
        }
        self.ok(200, self.page(data, query, base, paginated))
    }

    /// A list document: every item when not paginated, else one page with links and meta.
    pub(super) fn page(
        &self,
        data: Vec<Value>,
        query: &HashMap<String, String>,
        base: &str,
        paginated: bool,
    ) -> Value {
        if !paginated {
            return json!({ "data": data });
        }
        let (number, size) = page_asked(query);
        let total = data.len();
        let pages = total.div_ceil(size).max(1);
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
        // `list-default-page-only`: asked without page parameters, the first page is all.
        let unasked = !query.contains_key("page[number]") && !query.contains_key("page[size]");
        let (pages, total) = if unasked && self.has(Fault::ListDefaultPageOnly) {
            (1, total.min(size))
        } else {
            (pages, total)
        };
        let prev = (number > 1).then(|| number - 1);
        let next = (number < pages).then(|| number + 1);
        let reported_total = if self.has(Fault::PaginationOffByOne) {
            total + 1
        } else {
            total
        };
        let pagination = json!({
            "current-page": number, "page-size": size, "prev-page": prev, "next-page": next,
            "total-pages": pages, "total-count": reported_total,
        });
        // The team-token list samples of both docs generations carry neither links nor meta
        // (ref §2); clients page with meta.pagination, so it stays when a page was asked for.
        if self.quirk(Quirk::ListsWithoutLinks) {
            let asked = query.contains_key("page[number]") || query.contains_key("page[size]");
            return if asked {
                json!({"data": items, "meta": {"pagination": pagination}})
            } else {
                json!({"data": items})
            };
        }
        json!({
            "data": items,
            "links": {
                "self": link(number), "first": link(1), "last": link(pages),
                "prev": prev.map(link), "next": next.map(link),
            },
            "meta": {"pagination": pagination},
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
    pub(super) fn mint(
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

    /// Stores a new token and returns its id and its creation document, the only one that shows
    /// the secret (organization-, team-, user- and agent-tokens docs: the secret is shown once).
    pub(super) fn issue(&mut self, token: Token) -> (String, Value) {
        let doc = self.token_doc(&token, true);
        let id = token.id.clone();
        self.insert_token(token);
        (id, doc)
    }

    /// The `attributes.name` of a new team or agent pool: present, made of letters, digits,
    /// `-` and `_`, and not `taken` (422 otherwise, with TFE's validation messages).
    pub(super) fn new_name<'d>(
        &self,
        doc: &'d Value,
        taken: impl Fn(&str) -> bool,
    ) -> Result<&'d str, Reply> {
        let Some(name) = doc.pointer("/data/attributes/name").and_then(Value::as_str) else {
            return Err(self.error(422, "invalid attribute", Some("Name can't be blank")));
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(self.error(422, "invalid attribute", Some("Name is invalid")));
        }
        if taken(name) {
            return Err(self.error(
                422,
                "invalid attribute",
                Some("Name has already been taken"),
            ));
        }
        Ok(name)
    }

    /// Reads a token-creation body: none at all, or a document with optional
    /// `attributes.expired-at` (in the future) and `attributes.description`. 400/422 otherwise.
    pub(super) fn token_request(
        &self,
        body: &[u8],
        strict_type: bool,
    ) -> Result<TokenRequest, Reply> {
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
        if let Some(description) = &mut request.description {
            if self.has(Fault::NonAsciiDescription500) && !description.is_ascii() {
                return Err(self.error(500, "internal server error", None));
            }
            if self.has(Fault::LongDescriptionCut) {
                *description = description.chars().take(80).collect();
            }
        }
        let Some(raw) = doc
            .pointer("/data/attributes/expired-at")
            .filter(|v| !v.is_null())
        else {
            return Ok(request);
        };
        // pytfe writes expired-at with datetime.isoformat() (pytfe 1.5.0
        // organization_token.py:81): no zone, or +00:00. The fault refuses all but ...Z.
        let strict = self.has(Fault::ZonelessExpiryRejected);
        let no_fractions = self.has(Fault::FractionalExpiryRejected);
        let Some(expiry) = raw
            .as_str()
            .filter(|r| !strict || r.ends_with('Z'))
            .filter(|r| !(no_fractions && r.contains('.')))
            .and_then(|r| {
                if self.has(Fault::OffsetExpiryAsUtc) {
                    // The digits before the offset, read as UTC: the offset is lost.
                    let local = r.get(..19).unwrap_or(r);
                    parse_time(&format!("{local}Z"))
                } else {
                    parse_time(r)
                }
            })
        else {
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
    pub(super) fn parse(&self, body: &[u8]) -> Result<Value, Reply> {
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

    pub(super) fn token_doc(&self, token: &Token, with_secret: bool) -> Value {
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
        // The seeds' documents have no expired-at; later servers always send it, but on agent
        // tokens, which have none in any docs sample (ref §1 #14).
        let expiring_kind = token.kind != Kind::Agent;
        if expiring_kind && (token.expired_at.is_some() || self.profile != Profile::Legacy) {
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

/// The page a list query asks for, `(number, size)`: page[number] from 1 (1 when absent or
/// not a positive number), page[size] 20 by default and at most 100 (team-tokens docs).
fn page_asked(query: &HashMap<String, String>) -> (usize, usize) {
    let positive = |key: &str| {
        query
            .get(key)
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    (
        positive("page[number]").unwrap_or(1),
        positive("page[size]").unwrap_or(20).min(100),
    )
}

//! Checks on token documents (reference §2): type, secret, identity and expiry. The view is
//! lenient, so a trial can go on reading a document another check already rejects.

use chrono::{DateTime, Months, SubsecRound, Utc};
use serde_json::Value;

use super::Finding;
use crate::exchange::Exchange;

/// How far a default expiry may be from created-at + 2 years (go-tfe's tests allow a minute).
pub const EXPIRY_SLACK_SECONDS: i64 = 60;

/// What a server sets `expired-at` to when the request does not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultExpiry {
    /// Created-at + 2 years: HCP Terraform's docs (organization and team tokens) and go-tfe's
    /// tests since 2026 (`defaultTokenExpirationYears = 2`, a minute of slack).
    TwoYears,
    /// Either: the TFE 2.0.x docs say two years, HashiCorp's OpenAPI file and the TFE 1.2.x
    /// docs say such a token never expires, and TFE releases before the default leave it null
    /// (ref §2). Both are real TFE, so both pass.
    TwoYearsOrNever,
    /// Null (or no attribute): the seeds' era has no expiry at all.
    Never,
}

/// An attribute that may be absent, null, or hold a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field<T> {
    Absent,
    Null,
    Value(T),
}

/// What a token document says, read leniently.
#[derive(Clone, Debug)]
pub struct TokenView {
    pub id: Option<String>,
    pub kind: Option<String>,
    /// `attributes.token` as sent.
    pub secret: Field<Value>,
    pub created_at: Option<DateTime<Utc>>,
    pub expired_at: Field<Value>,
}

impl TokenView {
    /// Reads `data` of a token document; `None` if the body has no `data` object.
    pub fn of(ex: &Exchange) -> Option<TokenView> {
        let doc = ex.json()?;
        let data = doc.get("data")?.as_object()?;
        let attributes = data.get("attributes").and_then(Value::as_object);
        let field = |name: &str| match attributes.and_then(|a| a.get(name)) {
            None => Field::Absent,
            Some(Value::Null) => Field::Null,
            Some(v) => Field::Value(v.clone()),
        };
        Some(TokenView {
            id: data.get("id").and_then(Value::as_str).map(str::to_string),
            kind: data.get("type").and_then(Value::as_str).map(str::to_string),
            secret: field("token"),
            created_at: match field("created-at") {
                Field::Value(Value::String(s)) => parse_time(&s),
                _ => None,
            },
            expired_at: field("expired-at"),
        })
    }

    /// The secret, if the document carries a non-empty one.
    pub fn secret(&self) -> Option<&str> {
        match &self.secret {
            Field::Value(Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn view(ex: &Exchange) -> Result<TokenView, Box<Finding>> {
    match ex.response() {
        None => Err(Box::new(Finding::no_response(ex))),
        Some(_) => TokenView::of(ex).ok_or_else(|| {
            Box::new(
                Finding::new(
                    "token-document",
                    ex,
                    "a token document with `data`",
                    "a body without a `data` object",
                )
                .source("ref §2"),
            )
        }),
    }
}

/// The body as JSON, or why there is none to judge (as `view` says it).
fn document(ex: &Exchange) -> Result<&Value, Box<Finding>> {
    match ex.json() {
        Some(doc) => Ok(doc),
        None => Err(view(ex)
            .err()
            .unwrap_or_else(|| Box::new(Finding::no_response(ex)))),
    }
}

/// `data.type` is `authentication-tokens` (go-tfe rejects anything else).
pub fn type_is_authentication_tokens(ex: &Exchange) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    if v.kind.as_deref() == Some("authentication-tokens") {
        return None;
    }
    Some(
        Finding::new(
            "token-type",
            ex,
            "\"authentication-tokens\"",
            format!("{:?}", v.kind.unwrap_or_default()),
        )
        .at("/data/type")
        .source("ref §2; go-tfe decodes only type authentication-tokens"),
    )
}

/// The create response carries a non-empty secret.
pub fn secret_present(ex: &Exchange) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    if v.secret().is_some() {
        return None;
    }
    Some(
        Finding::new(
            "secret",
            ex,
            "a non-empty secret in attributes.token",
            describe(&v.secret),
        )
        .at("/data/attributes/token")
        .source("docs: the create response returns the secret; ref §2"),
    )
}

/// Outside the create response the secret is null.
pub fn secret_hidden(ex: &Exchange) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    match v.secret {
        Field::Null | Field::Absent => None,
        Field::Value(value) => Some(
            Finding::new("secret", ex, "attributes.token null", hidden_value(&value))
                .at("/data/attributes/token")
                .source("docs: later reads do not include the secret (samples show null); ref §2"),
        ),
    }
}

/// The document is the token with `id`.
pub fn same_id(ex: &Exchange, id: &str) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    if v.id.as_deref() == Some(id) {
        return None;
    }
    Some(
        Finding::new(
            "token-id",
            ex,
            format!("id {id:?} (the token just created)"),
            format!("{:?}", v.id.unwrap_or_default()),
        )
        .at("/data/id")
        .source("ref §1"),
    )
}

/// `expired-at` is the instant that was asked for (compared as instants: a server may add
/// milliseconds).
pub fn expiry_is(ex: &Exchange, expected: DateTime<Utc>) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    let actual = match &v.expired_at {
        Field::Value(Value::String(s)) => parse_time(s),
        _ => None,
    };
    if actual == Some(expected) {
        return None;
    }
    Some(
        Finding::new(
            "expiry",
            ex,
            format!(
                "expired-at {}",
                expected.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            describe(&v.expired_at),
        )
        .at("/data/attributes/expired-at")
        .source("go-tfe tests (the expiry asked for comes back); ref §2"),
    )
}

/// `expired-at` is the instant `sent` (RFC 3339 text in any of its forms) names: the same
/// moment, however written, to the digits of a second the answer shows (the docs' samples
/// show milliseconds, so a server may cut or round the rest off).
pub fn expiry_echoes(ex: &Exchange, sent: &str) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    let sent_instant = chrono::DateTime::parse_from_rfc3339(sent)
        .expect("the harness sends RFC 3339")
        .with_timezone(&Utc);
    let echoed = match &v.expired_at {
        Field::Value(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let same = echoed.and_then(|text| {
        let instant = parse_time(text)?;
        let digits = text.split_once('.').map_or(0, |(_, rest)| {
            rest.chars().take_while(char::is_ascii_digit).count()
        });
        let digits = u32::try_from(digits.min(9)).unwrap_or(9);
        Some(
            instant == sent_instant.trunc_subsecs(digits as u16)
                || instant == sent_instant.round_subsecs(digits as u16),
        )
    });
    if same == Some(true) {
        return None;
    }
    Some(
        Finding::new(
            "expiry",
            ex,
            format!("expired-at naming the instant of {sent}"),
            describe(&v.expired_at),
        )
        .at("/data/attributes/expired-at")
        .source(
            "team-tokens docs (expired-at in ISO 8601); ref §2: the expiry asked for comes back",
        ),
    )
}

/// With no `expired-at` in the request: what `expected` allows (created-at + 2 years, null or
/// absent, or either; see `DefaultExpiry` for the sources of each).
pub fn expiry_default(ex: &Exchange, expected: DefaultExpiry) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    let pointer = "/data/attributes/expired-at";
    let never = matches!(v.expired_at, Field::Null | Field::Absent);
    let (wanted, source) = match expected {
        DefaultExpiry::Never => (
            "expired-at null",
            "seeds 002/003 (no expiry in that era); audit-trails docs (never expires)",
        ),
        DefaultExpiry::TwoYears => (
            "",
            "HCP Terraform docs; go-tfe tests: created-at + 2 years, 1 minute of slack",
        ),
        DefaultExpiry::TwoYearsOrNever => (
            "",
            "TFE 2.0.x docs: created-at + 2 years; HashiCorp's OpenAPI file and older TFE: \
             never (null)",
        ),
    };
    if expected == DefaultExpiry::Never {
        return (!never).then(|| {
            Finding::new("expiry", ex, wanted, describe(&v.expired_at))
                .at(pointer)
                .source(source)
        });
    }
    if never && expected == DefaultExpiry::TwoYearsOrNever {
        return None;
    }
    let or_null = if expected == DefaultExpiry::TwoYearsOrNever {
        " or null"
    } else {
        ""
    };
    let Some(created) = v.created_at else {
        return Some(
            Finding::new("expiry", ex, "a created-at to compare with", "none")
                .at("/data/attributes/created-at")
                .source(source),
        );
    };
    let expected_at = created + Months::new(24);
    let actual = match &v.expired_at {
        Field::Value(Value::String(s)) => parse_time(s),
        _ => None,
    };
    match actual {
        Some(t) if (t - expected_at).num_seconds().abs() <= EXPIRY_SLACK_SECONDS => None,
        _ => Some(
            Finding::new(
                "expiry",
                ex,
                format!(
                    "expired-at {} (created-at + 2 years){or_null}",
                    expected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
                describe(&v.expired_at),
            )
            .at(pointer)
            .source(source),
        ),
    }
}

/// What stands where a secret must not, without the value itself (it is exactly what must not
/// leak): an empty string is said to be one, not "a secret".
pub fn hidden_value(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(_) => "a secret (a non-empty string)".into(),
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn describe(field: &Field<Value>) -> String {
    match field {
        Field::Absent => "no such attribute".into(),
        Field::Null => "null".into(),
        Field::Value(Value::String(s)) if s.is_empty() => "an empty string".into(),
        Field::Value(v) => crate::redact::text(&v.to_string()),
    }
}

/// A team token names its team in `relationships.team`. With `required` false (the seeds'
/// legacy team token documents have no `team` relationship at all) it may be absent, but if it
/// is there it must name the team.
pub fn names_team(ex: &Exchange, team_id: &str, required: bool) -> Option<Finding> {
    let doc = match document(ex) {
        Ok(doc) => doc,
        Err(f) => return Some(*f),
    };
    let relationship = doc.pointer("/data/relationships/team");
    if relationship.is_none() && !required {
        return None;
    }
    let team = relationship.and_then(|r| r.get("data"));
    let id = team.and_then(|t| t.get("id")).and_then(Value::as_str);
    let kind = team.and_then(|t| t.get("type")).and_then(Value::as_str);
    if id == Some(team_id) && kind == Some("teams") {
        return None;
    }
    let actual = match team {
        None => "no team relationship".to_string(),
        Some(t) => crate::redact::text(&t.to_string()),
    };
    Some(
        Finding::new(
            "team-relationship",
            ex,
            format!("{{\"id\":{team_id:?},\"type\":\"teams\"}}"),
            actual,
        )
        .at("/data/relationships/team/data")
        .source("docs samples; go-tfe TestTeamTokensRead (tt.Team.ID); ref §2"),
    )
}

/// `attributes.description` is exactly `expected` (an empty string stays an empty string).
pub fn description_is(ex: &Exchange, expected: &str) -> Option<Finding> {
    let doc = match document(ex) {
        Ok(doc) => doc,
        Err(f) => return Some(*f),
    };
    let actual = doc.pointer("/data/attributes/description");
    if actual.and_then(Value::as_str) == Some(expected) {
        return None;
    }
    Some(
        Finding::new(
            "description",
            ex,
            format!("description {expected:?}"),
            actual.map_or("no such attribute".to_string(), |v| {
                crate::redact::text(&v.to_string())
            }),
        )
        .at("/data/attributes/description")
        .source(
            "go-tfe TestTeamTokens_CreateWithOptions_MultipleTokens (\"\" comes back \"\"); ref §2",
        ),
    )
}

/// The token `ex` created has an id no earlier answer handed out (`handed_out`: every id the
/// trial was given so far): a deleted token's id is not given to another (ref §2: the id
/// names the token; a client that kept the old one would reach the new).
pub fn id_new(ex: &Exchange, handed_out: &[String]) -> Option<Finding> {
    let id = TokenView::of(ex)?.id?;
    handed_out.contains(&id).then(|| {
        Finding::new(
            "id-reused",
            ex,
            "an id no earlier token had",
            format!("{id}, the id of a token created earlier"),
        )
        .at("/data/id")
        .source("ref §2: an id names one token; go-tfe reads and deletes tokens by it")
    })
}

/// The document is a token other than `other` (e.g. the audit-trails token is not the
/// organization token).
pub fn other_id(ex: &Exchange, other: &str, source: &str) -> Option<Finding> {
    let v = match view(ex) {
        Ok(v) => v,
        Err(f) => return Some(*f),
    };
    match v.id {
        Some(id) if id != other => None,
        id => Some(
            Finding::new(
                "token-id",
                ex,
                format!("an id other than {other:?}"),
                format!("{:?}", id.unwrap_or_default()),
            )
            .at("/data/id")
            .source(source),
        ),
    }
}

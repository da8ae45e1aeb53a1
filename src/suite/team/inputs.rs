//! Generated inputs for a team's several tokens: descriptions of any script and length a
//! client may send, every RFC 3339 form of an expiry, and the team-token list's queries
//! (documented sorts, filters, searches, pages; and values no document allows). What the
//! docs allow must be taken, stored and echoed as sent; for what they set no rule about, only
//! a server error is a failure.

use proptest::prelude::*;

use super::trials::minted;
use crate::suite::{
    explore::{Create, descriptions_echoed, expiries_echoed, explore, text},
    prelude::*,
};

/// Why a description of any text must be taken and echoed.
const ANY_TEXT: &str = "team-tokens docs: description is a string, with no limit given (JSON \
                        strings are Unicode, RFC 8259 §7); ref §1 #7, §2";

/// Why an expiry in any RFC 3339 form must be taken and echoed as the same instant.
const ANY_FORM: &str = "team-tokens docs: expired-at in ISO 8601 (go-tfe sends RFC 3339, with \
                        an offset for a time not in UTC; pytfe isoformat, with microseconds); \
                        ref §2: the expiry asked for comes back";

/// Why a list query the docs allow must be answered 200.
const LISTED: &str = "team-tokens docs: q, sort (expired-at, last-used-at, created-by, \
                      team-name, - reverses), filter[status] (filter[expiry_status] in \
                      HashiCorp's OpenAPI file), page[number], page[size] up to 100; ref §1 #10";

/// Why a value no document allows must still not be a server error.
const NO_RULE: &str = "no document gives a rule for it: any answer but a 5xx (RFC 9110 §15.6)";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "inputs::team_token_description",
            "a team token's description of any script and up to 100 characters is taken (201 or 200) and comes back as sent, on create and on read",
            descriptions,
        ),
        CheckDef::new(
            "inputs::team_token_expiry",
            "a team token's expired-at in any RFC 3339 form (Z or an offset, 0 to 6 digits of a second) is taken and comes back as the same instant",
            expiries,
        ),
        CheckDef::new(
            "inputs::team_token_list",
            "the team-token list answers every documented query 200 (a page past the end too) and lists no team a search does not match; a query no document allows gets no 5xx",
            queries,
        ),
    ]
    .into_iter()
    .map(|c| c.only(CURRENT).explores())
    .collect()
}

/// How a team token is made for a case: 201 or 200 (the docs give no status; go-tfe takes
/// any 2xx); it goes with its team.
const CREATE: Create = Create {
    created: &[200, 201],
    shortest: 0,
    description_source: ANY_TEXT,
    expiry_source: ANY_FORM,
    minted,
    alone: false,
    caller: Session::as_team_manager,
};

/// A team token created in `team` with `body`.
async fn create_in(s: &Session, team: &str, step: &str, body: String) -> Exchange {
    s.raw(
        step,
        s.as_team_manager(),
        "createTeamAuthenticationToken",
        &[("team_id", team)],
    )
    .body(body)
    .send()
    .await
}

async fn descriptions(s: Session) -> Result<(), Stop> {
    descriptions_echoed(
        &s,
        "inputs::team_token_description",
        &CREATE,
        |s, body| async move {
            // A team of its own: descriptions are unique within a team, and a case may draw
            // one an earlier case drew.
            let team = fixtures::team(&s, "explore").await?;
            Ok(create_in(&s, &team.id, "create with a drawn description", body).await)
        },
    )
    .await
}

async fn expiries(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "explore").await?;
    let team = team.id.as_str();
    expiries_echoed(
        &s,
        "inputs::team_token_expiry",
        &CREATE,
        |s, body| async move { Ok(create_in(&s, team, "create with a drawn expiry", body).await) },
    )
    .await
}

/// A team-token list query: each part documented or not (`None`: not sent).
#[derive(Clone, Debug)]
struct Query {
    sort: Option<Value>,
    filter: Option<(&'static str, Value)>,
    q: Option<Search>,
    page: Option<(Value, Value)>,
}

/// A part of a query, and whether a document allows it.
#[derive(Clone, Debug)]
struct Value {
    text: String,
    documented: bool,
}

/// What to search for: text, or the name of one of the trial's teams.
#[derive(Clone, Debug)]
enum Search {
    Text(String),
    /// The whole name of the first team (`q_x`).
    FirstTeam,
}

fn value(text: impl Into<String>, documented: bool) -> Value {
    Value {
        text: text.into(),
        documented,
    }
}

fn query() -> impl Strategy<Value = Query> {
    let documented_sorts = [
        "expired-at",
        "-expired-at",
        "last-used-at",
        "-last-used-at",
        "created-by",
        "-created-by",
        "team-name",
        "-team-name",
    ];
    let sort = prop_oneof![
        3 => Just(None),
        3 => proptest::sample::select(documented_sorts.to_vec()).prop_map(|s| Some(value(s, true))),
        1 => proptest::sample::select(vec!["name", "-", "expired-at,team-name", "EXPIRED-AT", "created-at"])
            .prop_map(|s| Some(value(s, false))),
    ];
    let statuses = [
        "active",
        "expiring_in_7_days",
        "expiring_in_30_days",
        "expired",
        "no_expiration",
    ];
    let filter = prop_oneof![
        3 => Just(None),
        2 => (
            proptest::sample::select(vec!["filter[status]", "filter[expiry_status]"]),
            proptest::sample::subsequence(statuses.to_vec(), 1..=3),
        )
            .prop_map(|(name, values)| Some((name, value(values.join(","), true)))),
        1 => (
            proptest::sample::select(vec!["filter[status]", "filter[expiry_status]"]),
            proptest::sample::select(vec!["soon", "EXPIRED", "active;expired", ""]),
        )
            .prop_map(|(name, v)| Some((name, value(v, false)))),
    ];
    let q = prop_oneof![
        1 => Just(None),
        1 => Just(Some(Search::FirstTeam)),
        4 => proptest::sample::select(vec![
            "q_x", "q%x", "%", "_", "q_", "'", "\"", "\\", "--", ";", "*", "a b", "(", "Ω",
        ])
        .prop_map(|t| Some(Search::Text(t.to_string()))),
        1 => text(1, 12).prop_map(|t| Some(Search::Text(t))),
    ];
    let page = prop_oneof![
        2 => Just(None),
        3 => (1u32..=3, 1u32..=100)
            .prop_map(|(n, size)| Some((value(n.to_string(), true), value(size.to_string(), true)))),
        2 => (40u32..=100_000, 1u32..=100)
            .prop_map(|(n, size)| Some((value(n.to_string(), true), value(size.to_string(), true)))),
        1 => (
            proptest::sample::select(vec!["0", "-1", "abc", "1.5", "99999999999999999999", ""]),
            proptest::sample::select(vec!["2", "101", "1000", "0", "-5", "x"]),
        )
            .prop_map(|(n, size)| {
                let size_ok = size.parse::<u32>().is_ok_and(|s| (1..=100).contains(&s));
                Some((value(n, false), value(size, size_ok)))
            }),
    ];
    (sort, filter, q, page).prop_map(|(sort, filter, q, page)| Query {
        sort,
        filter,
        q,
        page,
    })
}

impl Query {
    /// Every part of it is one a document allows.
    fn documented(&self) -> bool {
        self.sort.as_ref().is_none_or(|s| s.documented)
            && self.filter.as_ref().is_none_or(|(_, v)| v.documented)
            && self
                .page
                .as_ref()
                .is_none_or(|(n, size)| n.documented && size.documented)
    }

    /// What it searches for, with the first team's name filled in.
    fn search(&self, first_team: &str) -> Option<String> {
        self.q.as_ref().map(|q| match q {
            Search::Text(text) => text.clone(),
            Search::FirstTeam => first_team.to_string(),
        })
    }
}

/// Two teams named alike but for one character (`q_x`, `qax`), with tokens: a search that
/// treats `_` or `%` as a pattern (as SQL's LIKE does) lists the wrong team.
async fn queries(s: Session) -> Result<(), Stop> {
    let first = fixtures::team(&s, "q_x").await?;
    let second = fixtures::team(&s, "qax").await?;
    let mut tokens: Vec<(String, String)> = Vec::new();
    for (team, days) in [(&first, Some(3)), (&first, None), (&second, Some(3))] {
        let body = described_body(Some(&s.unique_name("listed")), days.map(future_instant));
        let ex = s
            .call(
                "create a token to list",
                s.team_manager()
                    .create_team_authentication_token(&team.id, &body),
            )
            .await;
        tokens.push((minted(&s, ex)?.id, team.name.clone()));
    }
    let (first_name, tokens) = (&first.name, &tokens);
    explore(
        &s,
        "inputs::team_token_list",
        8,
        query,
        |q| format!("{q:?}"),
        |s, query: Query| async move {
            let search = query.search(first_name);
            let mut request = s
                .raw(
                    "list with a drawn query",
                    s.as_team_manager(),
                    "listTeamTokens",
                    &[("organization_name", s.org())],
                )
                .content_type(None);
            if let Some(sort) = &query.sort {
                request = request.query("sort", &sort.text);
            }
            if let Some((name, v)) = &query.filter {
                request = request.query(name, &v.text);
            }
            if let Some(q) = &search {
                request = request.query("q", q);
            }
            if let Some((n, size)) = &query.page {
                request = request
                    .query("page[number]", &n.text)
                    .query("page[size]", &size.text);
            }
            let ex = request.send().await;
            s.gate(http::not_server_error(&ex, NO_RULE))?;
            if !query.documented() {
                return Ok(());
            }
            s.gate(http::status(&ex, &[200], LISTED))?;
            let Some(search) = search else {
                return Ok(());
            };
            // Whatever "match" means (whole name, start, part; any case), a team whose name
            // does not hold the search text does not match it.
            let unmatched: Vec<&str> = tokens
                .iter()
                .filter(|(_, team)| !team.to_lowercase().contains(&search.to_lowercase()))
                .map(|(id, _)| id.as_str())
                .collect();
            s.check(list::excludes(
                &ex,
                &unmatched,
                "team-tokens docs: q searches teams whose names match it; ref §1 #10",
            ));
            // The first team's whole name matches it by any meaning of "match": both its
            // tokens are on the first page, unless a filter or another page leaves them out.
            let first_page = query.page.as_ref().is_none_or(|(n, size)| {
                n.text == "1" && size.text.parse::<u32>().is_ok_and(|s| s >= 2)
            });
            if matches!(query.q, Some(Search::FirstTeam)) && query.filter.is_none() && first_page {
                let mine: Vec<&str> = tokens
                    .iter()
                    .filter(|(_, team)| team == first_name)
                    .map(|(id, _)| id.as_str())
                    .collect();
                s.check(list::contains(&ex, &mine, LISTED));
            }
            Ok(())
        },
    )
    .await
}

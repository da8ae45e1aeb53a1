//! Steps trials of every family share: request bodies as real clients send them, reading a
//! created token leniently (a step a trial only depends on accepts any 2xx with a usable
//! document, so that a fault trips the trial that checks it and not every trial that happens
//! to create something), trying a secret, walking a list's pages, a token deleted by id, and
//! what an organization lacking an entitlement fails with.

use std::num::NonZeroU64;

use chrono::{DateTime, Duration, SubsecRound, Utc};

use super::{Kind, Session, Stop};
use crate::{
    checks::{
        Finding, http,
        list::{self, Page},
        token::{self, DefaultExpiry, TokenView},
    },
    client::types,
    config::Profile,
    exchange::Exchange,
    redact::Secret,
};

/// The body the API docs show for organization, audit-trails and legacy team tokens: singular
/// type, optional expiry.
pub fn docs_body(expired_at: Option<DateTime<Utc>>) -> types::TokenCreateRequest {
    types::TokenCreateRequest {
        data: types::TokenCreateRequestData {
            type_: "authentication-token".into(),
            attributes: expired_at.map(|t| types::TokenCreateAttributes {
                expired_at: Some(t),
            }),
        },
    }
}

/// The body for multi-team and user tokens: plural type, a description, optional expiry.
pub fn described_body(
    description: Option<&str>,
    expired_at: Option<DateTime<Utc>>,
) -> types::DescribedTokenCreateRequest {
    types::DescribedTokenCreateRequest {
        data: types::DescribedTokenCreateRequestData {
            type_: "authentication-tokens".into(),
            attributes: Some(types::DescribedTokenCreateAttributes {
                description: description.map(str::to_string),
                expired_at,
            }),
        },
    }
}

/// When a token created without `expired-at` must expire under `profile`: HCP Terraform sets
/// two years; current TFE two years per its docs, never per HashiCorp's OpenAPI file, so
/// either; the seeds' era never (ref §2).
pub fn default_expiry(profile: Profile) -> DefaultExpiry {
    match profile {
        Profile::Hcp => DefaultExpiry::TwoYears,
        Profile::Tfe => DefaultExpiry::TwoYearsOrNever,
        Profile::Legacy => DefaultExpiry::Never,
    }
}

/// A moment `days` from now, whole seconds, so that any server can represent it.
pub fn future_instant(days: i64) -> DateTime<Utc> {
    (Utc::now() + Duration::days(days)).trunc_subsecs(0)
}

/// A moment a day ago, whole seconds: an expiry a server must refuse.
pub fn past_instant() -> DateTime<Utc> {
    (Utc::now() - Duration::days(1)).trunc_subsecs(0)
}

pub fn succeeded(ex: &Exchange) -> bool {
    ex.status().is_some_and(|st| (200..300).contains(&st))
}

/// The `data.id` of a successful answer (what a create hands back).
pub fn succeeded_id(ex: &Exchange) -> Option<String> {
    ex.json()
        .filter(|_| succeeded(ex))?
        .pointer("/data/id")?
        .as_str()
        .map(str::to_string)
}

/// A token the run created. The secret is only there if the server sent one; trials that need
/// it ask for it with `secret`, so that a missing secret fails only those.
pub struct Minted {
    pub id: String,
    pub secret: Option<Secret>,
    pub exchange: Exchange,
}

impl Minted {
    pub fn secret(&self, s: &Session) -> Result<Secret, Stop> {
        self.secret
            .clone()
            .ok_or_else(|| s.setup_failed(&self.exchange, "a created token with a secret"))
    }
}

/// Reads the token out of a create response, leniently, and remembers it for cleanup as a
/// `kind` (`None`: it goes with something else, such as its team).
pub fn minted(s: &Session, ex: Exchange, kind: Option<&'static Kind>) -> Result<Minted, Stop> {
    let view = TokenView::of(&ex).filter(|_| succeeded(&ex));
    match view.as_ref().and_then(|v| v.id.clone()) {
        Some(id) => {
            if let Some(kind) = kind {
                s.remember(kind.made(id.clone()));
            }
            let secret = view.as_ref().and_then(|v| v.secret()).map(Secret::new);
            if let Some(secret) = secret
                .as_ref()
                .filter(|_| kind.is_some_and(|k| k.users_own))
            {
                // The calling user's own token: TFE counts its requests with the user's
                // (ref §6), so it spends the user's budget.
                let ctx = s.ctx();
                ctx.transport.pacer.share_budget(
                    format!("Bearer {}", secret.expose()).as_bytes(),
                    format!("Bearer {}", ctx.owner.expose()).as_bytes(),
                );
            }
            Ok(Minted {
                id,
                secret,
                exchange: ex,
            })
        }
        None => Err(s.setup_failed(&ex, "a created token (2xx with a token document)")),
    }
}

/// If `ex` created a token, remembers it for cleanup as a `kind` (and records nothing either
/// way).
pub fn remember_created(s: &Session, ex: &Exchange, kind: &'static Kind) {
    if !succeeded(ex) {
        return;
    }
    if let Some(id) = TokenView::of(ex).and_then(|v| v.id) {
        s.remember(kind.made(id));
    }
}

/// What a token that authenticates may get from `GET /organizations/{org}`: 200, or 404 if it
/// may not see the organization (ref §5: a valid token never gets 401). Only a revoked or
/// unknown token gets 401.
pub const AUTHENTICATED: &[u16] = &[200, 404];

/// Whether `secret` authenticates: GET /organizations/{org} with it.
pub async fn try_secret(s: &Session, step: &str, secret: &Secret) -> Exchange {
    s.call(step, s.bearer(secret).get_organization(s.org()))
        .await
}

/// `page[number]` and `page[size]` for a typed list call: `(number, size)`, or neither.
pub fn page_params(page: Option<(u64, u64)>) -> (Option<NonZeroU64>, Option<NonZeroU64>) {
    match page {
        Some((n, size)) => (NonZeroU64::new(n), NonZeroU64::new(size)),
        None => (None, None),
    }
}

/// Three tokens on pages of two: each page's `meta.pagination` (and links) agree with it, and
/// every token comes exactly once across the two. `page(n)` asks for page `n` of size 2;
/// `status_source` backs the 200 each page must be, `source` the rest.
pub async fn three_on_pages_of_two<F, Fut>(
    s: &Session,
    tokens: &[Minted],
    status_source: &str,
    source: &str,
    mut page: F,
) -> Result<(), Stop>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Exchange>,
{
    let mut seen = Vec::new();
    for number in 1..=2 {
        let ex = page(number).await;
        s.gate(http::status(&ex, &[200], status_source))?;
        s.check(list::pagination(
            &ex,
            &Page {
                number,
                size: 2,
                total_count: 3,
            },
        ));
        seen.extend(list::ids(&ex).unwrap_or_default());
    }
    let all: Vec<&str> = tokens.iter().map(|m| m.id.as_str()).collect();
    let complete = all
        .iter()
        .all(|id| seen.iter().filter(|s| s == id).count() == 1);
    if !complete {
        s.check([Finding::general(
            "pagination",
            format!("every token exactly once across the pages: {all:?}"),
            format!("{seen:?}"),
        )
        .source(source)]);
    }
    Ok(())
}

/// A deleted token's secret no longer authenticates (ref §4): 401.
pub async fn deleted_secret_refused(s: &Session, step: &str, secret: &Secret) {
    let ex = try_secret(s, step, secret).await;
    s.check(http::status(
        &ex,
        &[401],
        "ref §4: a deleted token no longer authenticates",
    ));
}

/// Every page of a list, 100 items a page and at most 20 pages, following
/// `meta.pagination.next-page` (what go-tfe and pytfe read), so that other items of the
/// account cannot push the trial's own off the first page. `page(n)` asks for page `n`.
pub async fn every_page<F, Fut>(
    s: &Session,
    source: &str,
    mut page: F,
) -> Result<Vec<Exchange>, Stop>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Exchange>,
{
    let mut pages = Vec::new();
    for number in 1..=20 {
        let ex = page(number).await;
        s.gate(http::status(&ex, &[200], source))?;
        let next = ex
            .json()
            .and_then(|d| d.pointer("/meta/pagination/next-page"))
            .is_some_and(|n| !n.is_null());
        pages.push(ex);
        if !next {
            break;
        }
    }
    Ok(pages)
}

/// Each of `answers` is a 404.
pub fn all_not_found(s: &Session, answers: &[Exchange], source: &str) {
    for ex in answers {
        s.check(http::status(ex, &[404], source));
    }
}

/// Whether the list `ex` answered 200 with the item `id` among its data: how a credential
/// the run makes shows that it sees what it made.
pub fn lists(ex: &Exchange, id: &str) -> bool {
    ex.status() == Some(200)
        && crate::checks::list::ids(ex).is_some_and(|ids| ids.iter().any(|i| i == id))
}

/// GET `/authentication-tokens/{id}`, sent with `auth`, answers 200: the token, read back
/// for more checks.
pub async fn read_back(s: &Session, auth: crate::client::Auth, id: &str) -> Result<Exchange, Stop> {
    let ex = s
        .call("read it by id", s.client(auth).get_authentication_token(id))
        .await;
    s.gate(http::status(&ex, &[200], "ref §1 #8"))?;
    Ok(ex)
}

/// GET `/authentication-tokens/{id}` (team, user and agent tokens alike) answers `source`'s
/// 200 with the token created, its secret hidden; the answer, for more checks.
pub async fn read_by_id_hides_secret(
    s: &Session,
    created: &Minted,
    source: &str,
) -> Result<Exchange, Stop> {
    let ex = s
        .call(
            "read by id",
            s.owner().get_authentication_token(&created.id),
        )
        .await;
    s.gate(http::status(&ex, &[200], source))?;
    s.check(token::same_id(&ex, &created.id));
    s.check(token::secret_hidden(&ex));
    Ok(ex)
}

/// DELETE `/authentication-tokens/{id}` (team, user and agent tokens alike), then the secret
/// (when there is one to try), GET and a second DELETE.
pub async fn delete_by_id_revokes(s: &Session, created: &Minted) -> Result<(), Stop> {
    let owner = s.owner();
    let ex = s
        .call(
            "delete by id",
            owner.delete_authentication_token(&created.id),
        )
        .await;
    s.gate(http::status(&ex, &[204], "ref §1 #9"))?;
    s.check(http::empty_body(&ex, "ref §1 #9"));
    if let Some(secret) = &created.secret {
        deleted_secret_refused(s, "use the deleted secret", secret).await;
    }
    let read = s
        .call(
            "read after delete",
            owner.get_authentication_token(&created.id),
        )
        .await;
    s.check(http::status(&read, &[404], "ref §4"));
    let again = s
        .call(
            "delete again",
            owner.delete_authentication_token(&created.id),
        )
        .await;
    s.check(http::status(&again, &[404], "ref §4"));
    Ok(())
}

/// Something an organization may lack (a paid entitlement), without which a family's trials
/// cannot be checked: each such trial fails with one finding that says so and how to leave
/// them out, rather than with whatever the missing thing would make of the rest of it, and
/// the run's summary says it once.
#[derive(Debug)]
pub struct Entitlement {
    /// The rule of the finding, by which the summary counts the trials it explains.
    pub rule: &'static str,
    /// What the trial needed.
    pub needed: &'static str,
    /// What the 404 means, and how to leave the trials out.
    pub meaning: &'static str,
    pub source: &'static str,
    /// The summary's line, `{count}` standing for the number of trials.
    pub summary: &'static str,
}

impl Entitlement {
    /// `ex` answered 404 where the entitlement was needed: the trial fails with that one
    /// finding.
    pub fn lacking(&self, s: &Session, ex: &Exchange) -> Stop {
        s.check([Finding::new(self.rule, ex, self.needed, self.meaning).source(self.source)]);
        Stop
    }
}

/// Sends one typed call of set-up the trial does not ask about with the run's set-up token
/// (`Session::setup`), and again with the user's token if that does not succeed:
/// `by_setup!(s, "target: create a token", |c| c.create_team_token(&id, &body))`. The
/// exchange is the last one sent.
///
/// The long form says which client asks first and when the user's token asks again (a
/// predicate on the first exchange): `by_setup!(s, step, first: s.bearer(t), again_if:
/// |ex: &Exchange| !succeeded(ex), |c| ...)`, for a credential the run is still making, or a
/// call whose every answer but a refusal is the trial's to judge.
macro_rules! by_setup {
    ($s:expr, $step:expr, |$c:ident| $call:expr) => {
        $crate::suite::steps::by_setup!(
            $s,
            $step,
            first: $s.setup(),
            again_if: |ex: &$crate::exchange::Exchange| {
                !$crate::suite::steps::succeeded(ex) && $s.ctx().setup_token().is_some()
            },
            |$c| $call
        )
    };
    ($s:expr, $step:expr, first: $first:expr, again_if: $again:expr, |$c:ident| $call:expr) => {{
        let step: &str = $step;
        let ex = {
            let $c = $first;
            $s.call(step, $call).await
        };
        if ($again)(&ex) {
            let $c = $s.owner();
            $s.call(step, $call).await
        } else {
            ex
        }
    }};
}
pub(crate) use by_setup;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_holds_an_item_only_when_it_answered_200_with_it() {
        let list = r#"{"data":[{"id":"at-1","type":"authentication-tokens"}]}"#;
        assert!(lists(
            &Exchange::canned("listTeamTokens", "/x", 200, list),
            "at-1"
        ));
        assert!(!lists(
            &Exchange::canned("listTeamTokens", "/x", 200, list),
            "at-2"
        ));
        assert!(!lists(
            &Exchange::canned("listTeamTokens", "/x", 404, list),
            "at-1"
        ));
        assert!(!lists(
            &Exchange::canned("listTeamTokens", "/x", 200, "{}"),
            "at-1"
        ));
    }
}

//! Agent tokens' trials (reference §1 #14, agent-tokens docs): an agent pool's tokens, each
//! with a required description, its secret shown once, listed per pool (sorted by creation
//! time when asked, paginated), shown and deleted by id like team and user tokens. Every trial
//! makes its own pool, which the run deletes with its tokens. An organization without the
//! agents entitlement cannot make a pool: each trial then fails with that one finding
//! (`pool::NO_AGENT_POOL`).

use crate::suite::prelude::*;
use chrono::{DateTime, Utc};

use super::{
    cleanup::TOKEN,
    pool::{Pool, agent_pool, agent_token_body},
};

const REF: &str = "ref §1 #14 (agent-tokens docs)";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "agent_token::create_returns_token_document",
            "POST /agent-pools/{id}/authentication-tokens with a description answers 201 with a valid document, a secret and the description; go-tfe's body too",
            create_returns_token_document,
        ),
        CheckDef::new(
            "agent_token::description_required",
            "an agent token without a description is refused with 422 and a JSON:API error",
            description_required,
        ),
        CheckDef::new(
            "agent_token::listed_without_secrets",
            "GET /agent-pools/{id}/authentication-tokens lists the pool's tokens, every secret null",
            listed_without_secrets,
        ),
        CheckDef::new(
            "agent_token::pagination_consistent",
            "page[size] and page[number] page through the pool's tokens once each; links and meta.pagination agree",
            pagination_consistent,
        ),
        CheckDef::new(
            "agent_token::read_hides_secret",
            "GET /authentication-tokens/{id} answers 200 with the same id and description and a null secret",
            read_hides_secret,
        ),
        CheckDef::new(
            "agent_token::delete_removes",
            "DELETE /authentication-tokens/{id} answers 204; then GET and DELETE answer 404",
            delete_removes,
        ),
        CheckDef::new(
            "agent_token::unknown_pool_not_found",
            "listing and creating the tokens of a pool that does not exist answer 404",
            unknown_pool_not_found,
        ),
        CheckDef::new(
            "agent_token::pools_keep_their_tokens",
            "a pool's token list holds its own tokens and none of another pool's",
            pools_keep_their_tokens,
        ),
        CheckDef::new(
            "agent_token::secret_not_an_api_token",
            "an agent token's secret does not act on the API (GET /organizations/{org}: 401 or 404)",
            secret_not_an_api_token,
        ),
    ]
    .into_iter()
    .map(|c| c.only(CURRENT))
    // Sorting the list (and its 400 for a sort it does not know) is on HCP Terraform's
    // agent-tokens page only; the Terraform Enterprise docs (through 2.0.x) list no sort
    // parameter, so a TFE that ignores it keeps the contract.
    .chain(
        [
            CheckDef::new(
                "agent_token::sort_by_created_at",
                "sort=created-at lists the oldest first, sort=-created-at the newest first (ties by id)",
                sort_by_created_at,
            ),
            CheckDef::new(
                "agent_token::unknown_sort_rejected",
                "a sort the list does not know answers 400 with a JSON:API error",
                unknown_sort_rejected,
            ),
        ]
        .map(|c| c.only(HCP)),
    )
    .collect()
}

pub(super) async fn create(s: &Session, pool: &Pool, description: &str) -> Exchange {
    s.call(
        &format!("create agent token {description:?}"),
        s.owner()
            .create_agent_token(&pool.id, &agent_token_body(description)),
    )
    .await
}

/// Reads the token out of a create answer, leniently, and remembers it for deletion (before
/// its pool).
pub(super) fn minted(s: &Session, ex: Exchange) -> Result<Minted, Stop> {
    steps::minted(s, ex, Some(&TOKEN))
}

async fn list(
    s: &Session,
    step: &str,
    pool: &Pool,
    sort: Option<&str>,
    page: Option<(u64, u64)>,
) -> Exchange {
    let sort = sort.and_then(|s| s.parse::<types::ListAgentTokensSort>().ok());
    let (number, size) = page_params(page);
    s.call(
        step,
        s.owner().list_agent_tokens(&pool.id, number, size, sort),
    )
    .await
}

/// Creates tokens `t0`, `t1`, ... in `pool`, one after the other.
async fn tokens(s: &Session, pool: &Pool, n: usize) -> Result<Vec<Minted>, Stop> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(minted(s, create(s, pool, &format!("t{i}")).await)?);
    }
    Ok(out)
}

async fn create_returns_token_document(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "agents").await?;
    let ex = create(&s, &pool, "ci").await;
    // The docs and HashiCorp's OpenAPI file: 201.
    s.gate(http::status(&ex, &[201], REF))?;
    let _ = minted(&s, ex.clone());
    s.check(schema::body_matches(s.spec(), &ex));
    s.check(token::type_is_authentication_tokens(&ex));
    s.check(token::secret_present(&ex));
    s.check(token::description_is(&ex, "ci"));
    // go-tfe's AgentTokenCreateOptions sends type agent-tokens (its jsonapi tag), where the
    // docs (and pytfe) write authentication-tokens: a server must take both.
    let ex = s
        .raw(
            "create with go-tfe's body (type agent-tokens)",
            s.as_owner(),
            "createAgentToken",
            &[("agent_pool_id", &pool.id)],
        )
        .body(r#"{"data":{"type":"agent-tokens","attributes":{"description":"go-tfe"}}}"#)
        .send()
        .await;
    remember_created(&s, &ex, &TOKEN);
    s.check(http::status(
        &ex,
        &[201],
        "go-tfe AgentTokens.Create (type agent-tokens); agent-tokens docs: 201",
    ));
    Ok(())
}

async fn description_required(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "agents").await?;
    // The docs make every property without a default required, and the description has no
    // default; a body missing attributes is their 422. go-tfe and pytfe refuse to send such a
    // request at all (go-tfe's ErrAgentTokenDescription, pytfe's own validation).
    let source = "agent-tokens docs: data.attributes.description is required; 422 for missing \
                  attributes (ref §1 #14)";
    let owner = s.as_owner();
    for (step, body) in [
        (
            "create without a description",
            r#"{"data":{"type":"authentication-tokens","attributes":{}}}"#,
        ),
        (
            "create without attributes",
            r#"{"data":{"type":"authentication-tokens"}}"#,
        ),
    ] {
        let ex = s
            .raw(
                step,
                owner.clone(),
                "createAgentToken",
                &[("agent_pool_id", &pool.id)],
            )
            .body(body)
            .send()
            .await;
        remember_created(&s, &ex, &TOKEN);
        s.check(http::status(&ex, &[422], source));
        if ex.status() == Some(422) {
            s.check(http::error_document(&ex, source));
        }
    }
    Ok(())
}

async fn listed_without_secrets(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "agents").await?;
    let created = tokens(&s, &pool, 2).await?;
    // As go-tfe lists them: no parameters (a new pool's two tokens fit the first page).
    let ex = list(&s, "list the pool's tokens", &pool, None, None).await;
    s.gate(http::status(&ex, &[200], REF))?;
    s.check(list::contains(&ex, &ids(&created), REF));
    s.check(list::secrets_hidden(&ex));
    Ok(())
}

fn ids(minted: &[Minted]) -> Vec<&str> {
    minted.iter().map(|m| m.id.as_str()).collect()
}

/// When each token was made, as its create answer showed it.
fn created_at(s: &Session, minted: &[Minted]) -> Result<Vec<DateTime<Utc>>, Stop> {
    minted
        .iter()
        .map(|m| {
            TokenView::of(&m.exchange)
                .and_then(|v| v.created_at)
                .ok_or_else(|| s.setup_failed(&m.exchange, "created-at in the create answer"))
        })
        .collect()
}

async fn sort_by_created_at(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "sorted").await?;
    let created = tokens(&s, &pool, 3).await?;
    let times = created_at(&s, &created)?;
    let made: Vec<(&str, DateTime<Utc>)> =
        created.iter().map(|m| m.id.as_str()).zip(times).collect();
    let source = "agent-tokens docs: sort created-at oldest first, -created-at newest first, \
                  ties by id in the same direction (ref §1 #14)";
    for (sort, descending) in [("created-at", false), ("-created-at", true)] {
        let pages = every_page(&s, &format!("sort={sort}"), &pool, Some(sort)).await?;
        s.check(list::ordered_by_creation(&pages, &made, descending, source));
    }
    Ok(())
}

/// Every page of the pool's list (100 tokens a page, at most 20 pages).
async fn every_page(
    s: &Session,
    step: &str,
    pool: &Pool,
    sort: Option<&str>,
) -> Result<Vec<Exchange>, Stop> {
    steps::every_page(s, REF, |number| {
        let step = format!("{step}, page {number}");
        async move { list(s, &step, pool, sort, Some((number, 100))).await }
    })
    .await
}

async fn unknown_sort_rejected(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "sorted").await?;
    // expired-at is a sort of the team-token list, and no attribute of an agent token.
    let ex = s
        .raw(
            "list sorted by expired-at",
            s.as_owner(),
            "listAgentTokens",
            &[("agent_pool_id", &pool.id)],
        )
        .content_type(None)
        .query("sort", "expired-at")
        .send()
        .await;
    let source = "agent-tokens docs: 400 \"Invalid sort parameter\" (ref §1 #14)";
    s.check(http::status(&ex, &[400], source));
    if ex.status() == Some(400) {
        s.check(http::error_document(&ex, source));
    }
    Ok(())
}

async fn pagination_consistent(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "pages").await?;
    let created = tokens(&s, &pool, 3).await?;
    // Without sort the docs promise no order, which would let pages overlap: page by
    // creation time (a server that knows no sort, as the TFE docs describe it, ignores it).
    let source = "agent-tokens docs: paginated with page[number] and page[size]; ref §2";
    three_on_pages_of_two(&s, &created, REF, source, |number| {
        let step = format!("page {number} of 2");
        let (s, pool) = (&s, &pool);
        async move { list(s, &step, pool, Some("created-at"), Some((number, 2))).await }
    })
    .await
}

async fn read_hides_secret(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "agents").await?;
    let created = minted(&s, create(&s, &pool, "read").await)?;
    let ex =
        steps::read_by_id_hides_secret(&s, &created, "agent-tokens docs: Show an Agent Token, 200")
            .await?;
    // go-tfe's TestAgentTokensRead: the token read is the one created, its secret aside.
    s.check(token::description_is(&ex, "read"));
    Ok(())
}

async fn delete_removes(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "agents").await?;
    let created = minted(&s, create(&s, &pool, "delete").await)?;
    // An agent token is no API credential (api-tokens docs), so there is no secret to try:
    // what shows it gone is GET and a second DELETE by id.
    let created = Minted {
        secret: None,
        ..created
    };
    steps::delete_by_id_revokes(&s, &created).await
}

async fn unknown_pool_not_found(s: Session) -> Result<(), Stop> {
    // Shaped like a real pool id, so that a server parsing ids sees a missing pool.
    let pool = agent_pool(&s, "shape").await?;
    let missing = Pool {
        id: missing_like(&pool.id),
        name: pool.name.clone(),
    };
    let source = "agent-tokens docs: 404 \"Agent Pool not found\" (ref §1 #14, §5)";
    let ex = list(
        &s,
        "list the tokens of an unknown pool",
        &missing,
        None,
        None,
    )
    .await;
    s.check(http::status(&ex, &[404], source));
    let ex = create(&s, &missing, "nowhere").await;
    remember_created(&s, &ex, &TOKEN);
    s.check(http::status(&ex, &[404], source));
    Ok(())
}

async fn pools_keep_their_tokens(s: Session) -> Result<(), Stop> {
    let first = agent_pool(&s, "first").await?;
    let second = agent_pool(&s, "second").await?;
    let mine = minted(&s, create(&s, &first, "mine").await)?;
    let theirs = minted(&s, create(&s, &second, "theirs").await)?;
    let source = "agent-tokens docs: List Agent Tokens lists the tokens of the pool named \
                  (ref §1 #14)";
    for (pool, own, other, step) in [
        (&first, &mine, &theirs, "list the first pool's tokens"),
        (&second, &theirs, &mine, "list the second pool's tokens"),
    ] {
        let ex = list(&s, step, pool, None, None).await;
        s.gate(http::status(&ex, &[200], REF))?;
        s.check(list::contains(&ex, &[&own.id], source));
        s.check(list::excludes(&ex, &[&other.id], source));
    }
    Ok(())
}

async fn secret_not_an_api_token(s: Session) -> Result<(), Stop> {
    let pool = agent_pool(&s, "agents").await?;
    let secret = minted(&s, create(&s, &pool, "agent").await)?.secret(&s)?;
    let ex = try_secret(&s, "use the agent token on the API", &secret).await;
    // The api-tokens docs say agent tokens serve agents only and cannot be used on the API
    // itself: refused, whether as no credential (401) or as one that may not (404).
    s.check(http::status(
        &ex,
        &[401, 404],
        "api-tokens docs, Agent API Tokens: not valid for direct usage in the API (ref §1 #14)",
    ));
    Ok(())
}

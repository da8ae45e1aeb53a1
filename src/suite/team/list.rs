//! The organization's team-token list and bulk delete (reference §1 #10-#11, §2): search by
//! team name, sort by expiry, paginate consistently, never show secrets; delete several tokens
//! in one request. Every trial narrows the list to teams it created (`q`), so tokens that
//! already exist in a real organization never matter.

use super::{authz::references, trials::minted};
use crate::suite::prelude::*;

const REF: &str = "ref §1 #10";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "team_token_list::lists_without_secrets",
            "GET /organizations/{org}/team-tokens lists the team's tokens, every secret null",
            lists_without_secrets,
        ),
        CheckDef::new(
            "team_token_list::search_by_team_name",
            "q narrows the list to the teams whose name matches",
            search_by_team_name,
        ),
        CheckDef::new(
            "team_token_list::sort_by_expiry",
            "sort=expired-at lists by ascending expiry, sort=-expired-at by descending",
            sort_by_expiry,
        ),
        CheckDef::new(
            "team_token_list::pagination_consistent",
            "page[size] and page[number] page through every token once; links and meta.pagination agree",
            pagination_consistent,
        ),
    ]
    .into_iter()
    .map(|c| c.only(CURRENT))
    // Bulk delete is on HCP Terraform's team-tokens page only; the Terraform Enterprise docs
    // (2.0.x) have no such endpoint.
    .chain([CheckDef::new(
        "team_token_list::bulk_delete",
        "DELETE /organizations/{org}/team-tokens with a list of ids answers 204 and revokes them all",
        bulk_delete,
    )
    .only(HCP)])
    .collect()
}

async fn list(
    s: &Session,
    step: &str,
    q: &str,
    sort: Option<&str>,
    page: Option<(u64, u64)>,
) -> Exchange {
    let sort = sort.and_then(|s| s.parse::<types::ListTeamTokensSort>().ok());
    let (number, size) = page_params(page);
    s.call(
        step,
        s.owner()
            .list_team_tokens(s.org(), None, None, number, size, Some(q), sort),
    )
    .await
}

/// Creates `n` tokens in `team` (expiring after the given numbers of days, if any).
async fn tokens(s: &Session, team: &Team, days: &[Option<i64>]) -> Result<Vec<Minted>, Stop> {
    let mut out = Vec::new();
    for (i, d) in days.iter().enumerate() {
        let body = described_body(Some(&format!("t{i}")), d.map(future_instant));
        let ex = s
            .call(
                &format!("create token t{i}"),
                s.owner().create_team_authentication_token(&team.id, &body),
            )
            .await;
        out.push(minted(s, ex)?);
    }
    Ok(out)
}

fn ids(minted: &[Minted]) -> Vec<&str> {
    minted.iter().map(|m| m.id.as_str()).collect()
}

async fn lists_without_secrets(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "list").await?;
    let created = tokens(&s, &team, &[None, None]).await?;
    let pages = every_page(&s, "list the team's tokens", &team.name, None).await?;
    s.check(list::contains_across(&pages, &ids(&created), REF));
    for page in &pages {
        s.check(list::secrets_hidden(page));
    }
    Ok(())
}

async fn search_by_team_name(s: Session) -> Result<(), Stop> {
    let wanted = fixtures::team(&s, "search-a").await?;
    let other = fixtures::team(&s, "search-b").await?;
    let mine = tokens(&s, &wanted, &[None]).await?;
    let theirs = tokens(&s, &other, &[None]).await?;
    // Every page: a server that ignores q lists every team's tokens, and with enough of them
    // in the organization the other team's would fall off a first page, unseen.
    let pages = every_page(&s, "search by the first team's name", &wanted.name, None).await?;
    let source = "ref §1 #10: q searches by team name";
    s.check(list::contains_across(&pages, &ids(&mine), source));
    for page in &pages {
        s.check(list::excludes(page, &ids(&theirs), source));
    }
    Ok(())
}

async fn sort_by_expiry(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "sort").await?;
    let created = tokens(&s, &team, &[Some(30), Some(10), Some(20)]).await?;
    let (late, early, middle) = (&created[0].id, &created[1].id, &created[2].id);
    let source = "ref §1 #10: sort by expired-at, - reverses";
    for (sort, expected) in [
        ("expired-at", [early, middle, late]),
        ("-expired-at", [late, middle, early]),
    ] {
        let pages = every_page(&s, &format!("sort={sort}"), &team.name, Some(sort)).await?;
        let expected: Vec<&str> = expected.iter().map(|s| s.as_str()).collect();
        s.check(list::ordered_across(&pages, &expected, source));
    }
    Ok(())
}

/// Every page of the list (100 items a page, at most 20 pages), so that other tokens in the
/// organization cannot push the trial's own off the first page.
async fn every_page(
    s: &Session,
    step: &str,
    q: &str,
    sort: Option<&str>,
) -> Result<Vec<Exchange>, Stop> {
    steps::every_page(s, REF, |number| {
        let step = format!("{step}, page {number}");
        async move { list(s, &step, q, sort, Some((number, 100))).await }
    })
    .await
}

async fn pagination_consistent(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "pages").await?;
    let created = tokens(&s, &team, &[None, None, None]).await?;
    three_on_pages_of_two(&s, &created, REF, "ref §2", |number| {
        let step = format!("page {number} of 2");
        let team = &team.name;
        let s = &s;
        async move { list(s, &step, team, None, Some((number, 2))).await }
    })
    .await
}

async fn bulk_delete(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "bulk").await?;
    let created = tokens(&s, &team, &[None, None]).await?;
    let ids: Vec<&str> = created.iter().map(|m| m.id.as_str()).collect();
    let body = references(&ids);
    let owner = s.owner();
    let ex = s
        .call("bulk delete", owner.delete_team_tokens(s.org(), &body))
        .await;
    let source = "ref §1 #11";
    s.gate(http::status(&ex, &[204], source))?;
    for (i, token) in created.iter().enumerate() {
        if let Some(secret) = &token.secret {
            deleted_secret_refused(&s, &format!("use deleted secret t{i}"), secret).await;
        }
        let read = s
            .call(
                &format!("read t{i} after delete"),
                owner.get_authentication_token(&token.id),
            )
            .await;
        s.check(http::status(&read, &[404], source));
    }
    Ok(())
}

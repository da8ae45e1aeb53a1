//! A team's several tokens (reference §1 #7-#9, §4): each with a description unique within
//! the team, none replacing another, shown and deleted by id. Not in the `legacy` profile:
//! the seeds' API had one token per team.

use crate::suite::prelude::*;

const REF: &str = "ref §1 #7";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "team_tokens::create_returns_token_document",
            "POST /teams/{id}/authentication-tokens answers 201 (or 200) with a valid document, a secret, the description and the team",
            create_returns_token_document,
        ),
        CheckDef::new(
            "team_tokens::empty_description_echoed",
            "a description of \"\" comes back as \"\"",
            empty_description_echoed,
        ),
        CheckDef::new(
            "team_tokens::tokens_coexist",
            "two tokens of one team do not replace each other: both secrets authenticate",
            tokens_coexist,
        ),
        CheckDef::new(
            "team_tokens::duplicate_description_rejected",
            "a description already used in the team is rejected with 422 and a JSON:API error",
            duplicate_description_rejected,
        ),
        CheckDef::new(
            "team_tokens::read_hides_secret",
            "GET /authentication-tokens/{id} answers 200 with the same id and a null secret",
            read_hides_secret,
        ),
        CheckDef::new(
            "team_tokens::delete_revokes",
            "DELETE /authentication-tokens/{id} answers 204; then the secret gets 401, GET and DELETE 404",
            delete_revokes,
        ),
        CheckDef::new(
            "team_tokens::unknown_not_found",
            "an unknown token id (GET, DELETE) and an unknown team (POST) answer 404",
            unknown_not_found,
        ),
    ]
    .into_iter()
    .map(|c| c.only(CURRENT))
    .collect()
}

pub(super) async fn create(s: &Session, team: &Team, description: &str) -> Exchange {
    s.call(
        &format!("create token {description:?}"),
        s.owner()
            .create_team_authentication_token(&team.id, &described_body(Some(description), None)),
    )
    .await
}

/// Team tokens go with their team, so nothing else needs remembering.
pub(super) fn minted(s: &Session, ex: Exchange) -> Result<Minted, Stop> {
    steps::minted(s, ex, None)
}

async fn create_returns_token_document(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "multi").await?;
    let ex = create(&s, &team, "ci").await;
    // The docs give this create no status, go-tfe takes any 2xx: 201 as every other create,
    // or 200.
    s.gate(http::status(&ex, &[200, 201], REF))?;
    s.check(schema::body_matches(s.spec(), &ex));
    s.check(token::type_is_authentication_tokens(&ex));
    s.check(token::secret_present(&ex));
    s.check(token::description_is(&ex, "ci"));
    s.check(token::names_team(&ex, &team.id, true));
    Ok(())
}

async fn empty_description_echoed(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "multi").await?;
    let ex = create(&s, &team, "").await;
    minted(&s, ex.clone())?;
    s.check(token::description_is(&ex, ""));
    Ok(())
}

async fn tokens_coexist(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "multi").await?;
    let first = minted(&s, create(&s, &team, "first").await)?.secret(&s)?;
    let second = minted(&s, create(&s, &team, "second").await)?.secret(&s)?;
    let source = "ref §4: a team's several tokens do not replace each other";
    let ex = try_secret(&s, "use the first secret", &first).await;
    s.check(http::status(&ex, AUTHENTICATED, source));
    let ex = try_secret(&s, "use the second secret", &second).await;
    s.check(http::status(&ex, AUTHENTICATED, source));
    Ok(())
}

async fn duplicate_description_rejected(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "multi").await?;
    minted(&s, create(&s, &team, "deploy").await)?;
    let ex = create(&s, &team, "deploy").await;
    // The docs say descriptions are unique in a team but give no status; go-tfe's test
    // matches the error ("Description has already been taken"), which reaches it for any
    // status but 2xx, 3xx, 401 and 404. A client error with an error document, then.
    let source = "team-tokens docs (unique descriptions); go-tfe \
                  TestTeamTokens_CreateWithOptions_MultipleTokens; ref §4";
    s.check(http::status(&ex, &[400, 409, 422], source));
    if matches!(ex.status(), Some(400 | 409 | 422)) {
        s.check(http::error_document(&ex, source));
    }
    Ok(())
}

async fn read_hides_secret(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "multi").await?;
    let created = minted(&s, create(&s, &team, "read").await)?;
    steps::read_by_id_hides_secret(&s, &created, "ref §1 #8").await?;
    Ok(())
}

async fn delete_revokes(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "multi").await?;
    let created = minted(&s, create(&s, &team, "delete").await)?;
    steps::delete_by_id_revokes(&s, &created).await
}

async fn unknown_not_found(s: Session) -> Result<(), Stop> {
    // Shaped like real ids, so that a server parsing ids sees missing ones, not malformed ones.
    let team = fixtures::team(&s, "shape").await?;
    let real = minted(&s, create(&s, &team, "shape").await)?;
    let missing = missing_like(&real.id);
    let missing_team = missing_like(&team.id);
    let owner = s.owner();
    let answers = [
        s.call(
            "read an unknown id",
            owner.get_authentication_token(&missing),
        )
        .await,
        s.call(
            "delete an unknown id",
            owner.delete_authentication_token(&missing),
        )
        .await,
        s.call(
            "create for an unknown team",
            owner.create_team_authentication_token(&missing_team, &described_body(Some("x"), None)),
        )
        .await,
    ];
    all_not_found(&s, &answers, "ref §5: unknown ids are 404");
    Ok(())
}

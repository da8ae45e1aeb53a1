//! The legacy team token's trials (seed 003; reference §1 #4-#6, §4): created, replaced, read
//! and deleted like the organization token, and it names its team. Each trial works on a team
//! it creates itself, so these trials are never destructive and run in parallel.

use crate::suite::prelude::*;

const SEED: &str = "seed 003; HashiCorp's OpenAPI file: create 201, delete 204; ref §1";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "team_token::create_returns_token_document",
            "POST /teams/{id}/authentication-token answers 201 with a valid token document, a secret, and the team named",
            create_returns_token_document,
        ),
        CheckDef::new(
            "team_token::create_replaces_previous",
            "a second create replaces the team's token: the old secret gets 401, the new one 200",
            create_replaces_previous,
        ),
        CheckDef::new(
            "team_token::read_hides_secret",
            "GET answers 200 with the token just created (same id) and a null secret",
            read_hides_secret,
        ),
        CheckDef::new(
            "team_token::delete_revokes",
            "DELETE answers 204; then the secret gets 401, GET and a second DELETE 404",
            delete_revokes,
        ),
        CheckDef::new(
            "team_token::unknown_team_not_found",
            "POST, GET and DELETE on a team that does not exist answer 404",
            unknown_team_not_found,
        ),
        CheckDef::new(
            "team_token::malformed_team_id_not_server_error",
            "GET /teams/{id}/authentication-token with an id no server issues answers a 4xx, not a 5xx",
            malformed_team_id_not_server_error,
        ),
        CheckDef::new(
            "team_token::expiry_rules",
            "expired-at is echoed, rejected in the past, and defaults as for organization tokens",
            expiry_rules,
        ),
    ]
}

async fn create(s: &Session, team: &Team, step: &str) -> Exchange {
    s.call(
        step,
        s.owner().create_team_token(&team.id, &docs_body(None)),
    )
    .await
}

/// Team tokens go with their team, so nothing else needs remembering.
fn minted(s: &Session, ex: Exchange) -> Result<Minted, Stop> {
    steps::minted(s, ex, None)
}

async fn create_returns_token_document(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "legacy").await?;
    let ex = create(&s, &team, "create").await;
    s.gate(http::status(&ex, &[201], SEED))?;
    s.check(schema::body_matches(s.spec(), &ex));
    s.check(token::type_is_authentication_tokens(&ex));
    s.check(token::secret_present(&ex));
    // Seed 003's document has no `team` relationship; current TFE names the team (ref §2).
    let required = s.profile() != Profile::Legacy;
    s.check(token::names_team(&ex, &team.id, required));
    Ok(())
}

async fn create_replaces_previous(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "legacy").await?;
    let first = minted(&s, create(&s, &team, "first create").await)?.secret(&s)?;
    let second = minted(&s, create(&s, &team, "second create").await)?.secret(&s)?;
    let old = try_secret(&s, "use the first secret", &first).await;
    s.check(http::status(
        &old,
        &[401],
        "ref §4: creating replaces the team's token",
    ));
    let new = try_secret(&s, "use the second secret", &second).await;
    s.check(http::status(
        &new,
        AUTHENTICATED,
        "ref §4, §5: authenticated, not 401",
    ));
    Ok(())
}

async fn read_hides_secret(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "legacy").await?;
    let created = minted(&s, create(&s, &team, "create").await)?;
    let ex = s.call("read", s.owner().get_team_token(&team.id)).await;
    s.gate(http::status(&ex, &[200], "ref §1 #5"))?;
    s.check(token::same_id(&ex, &created.id));
    s.check(token::secret_hidden(&ex));
    Ok(())
}

async fn delete_revokes(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "legacy").await?;
    let created = minted(&s, create(&s, &team, "create").await)?;
    let owner = s.owner();
    let ex = s.call("delete", owner.delete_team_token(&team.id)).await;
    s.gate(http::status(&ex, &[204], SEED))?;
    s.check(http::empty_body(&ex, SEED));
    if let Some(secret) = &created.secret {
        deleted_secret_refused(&s, "use the deleted secret", secret).await;
    }
    let read = s
        .call("read after delete", owner.get_team_token(&team.id))
        .await;
    s.check(http::status(&read, &[404], "ref §4"));
    let again = s
        .call("second delete", owner.delete_team_token(&team.id))
        .await;
    s.check(http::status(&again, &[404], "ref §4"));
    Ok(())
}

/// An id of no server's shape is the client's mistake: a 4xx (404 on real TFE), never a 5xx,
/// which says the server failed (RFC 9110 §15.6; the spec documents no 5xx). OTF answers such
/// ids with 500 (ref §7).
async fn malformed_team_id_not_server_error(s: Session) -> Result<(), Stop> {
    let malformed = format!("not-an-id-{}", s.ctx().run_tag);
    let ex = s
        .call(
            "read the token of a team whose id is malformed",
            s.owner().get_team_token(&malformed),
        )
        .await;
    s.check(http::client_error(
        &ex,
        "RFC 9110 §15.6: a 5xx says the server failed; ref §7",
    ));
    Ok(())
}

async fn unknown_team_not_found(s: Session) -> Result<(), Stop> {
    // Shaped like a real team id, so that a server parsing ids sees a missing team, not a
    // malformed id.
    let missing = missing_like(&fixtures::owners_team(&s).await?);
    let owner = s.owner();
    let answers = [
        s.call(
            "create for an unknown team",
            owner.create_team_token(&missing, &docs_body(None)),
        )
        .await,
        s.call("read for an unknown team", owner.get_team_token(&missing))
            .await,
        s.call(
            "delete for an unknown team",
            owner.delete_team_token(&missing),
        )
        .await,
    ];
    all_not_found(&s, &answers, "ref §5: an unknown team is 404");
    Ok(())
}

async fn expiry_rules(s: Session) -> Result<(), Stop> {
    let team = fixtures::team(&s, "legacy").await?;
    let owner = s.owner();
    if s.profile() == Profile::Legacy {
        // The seeds know no expiry (go-tfe: from TFE v202305-1 on): only the default, none.
        let ex = create(&s, &team, "create without expired-at").await;
        minted(&s, ex.clone())?;
        s.check(token::expiry_default(
            &ex,
            steps::default_expiry(s.profile()),
        ));
        return Ok(());
    }
    let expiry = future_instant(30);
    let ex = s
        .call(
            "create with expired-at",
            owner.create_team_token(&team.id, &docs_body(Some(expiry))),
        )
        .await;
    minted(&s, ex.clone())?;
    s.check(token::expiry_is(&ex, expiry));

    let past = past_instant();
    let ex = s
        .call(
            "create with expired-at in the past",
            owner.create_team_token(&team.id, &docs_body(Some(past))),
        )
        .await;
    let source = "ref §2: an expired-at in the past is rejected";
    s.check(http::client_error(&ex, source));
    if !succeeded(&ex) {
        s.check(http::error_document(&ex, source));
    }

    let ex = create(&s, &team, "create without expired-at").await;
    minted(&s, ex.clone())?;
    s.check(token::expiry_default(
        &ex,
        steps::default_expiry(s.profile()),
    ));
    Ok(())
}

//! The organization token's trials (seed 002; reference §1 #1-#3, §2, §4): create, read,
//! rotate, expire and delete, each judged by one trial. Steps a trial only depends on are
//! lenient (any token document with a secret will do), so a fault trips the trial that checks
//! it and not every trial that happens to create a token.

use super::cleanup::TOKEN;
use crate::suite::prelude::*;

const SEED: &str = "seed 002; ref §1";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "org_token::create_returns_token_document",
            "POST answers 201 with a token document valid against the spec: type authentication-tokens, a non-empty secret",
            create_returns_token_document,
        )
        .destructive(),
        CheckDef::new(
            "org_token::accepts_real_client_bodies",
            "the bodies go-tfe, pytfe and the docs send (type \"\", expiry without zone, no body) each create a token",
            accepts_real_client_bodies,
        )
        .destructive(),
        CheckDef::new(
            "org_token::read_returns_created_token",
            "GET answers 200 with the token just created (same id)",
            read_returns_created_token,
        )
        .destructive(),
        CheckDef::new(
            "org_token::secret_shown_only_on_create",
            "the secret is in the create response and null when the token is read",
            secret_shown_only_on_create,
        )
        .destructive(),
        CheckDef::new(
            "org_token::new_secret_authenticates",
            "the new secret authenticates (GET /organizations/{org} answers 200)",
            new_secret_authenticates,
        )
        .destructive(),
        CheckDef::new(
            "org_token::create_replaces_previous",
            "a second create replaces the first: the old secret gets 401, the new one 200",
            create_replaces_previous,
        )
        .destructive(),
        CheckDef::new(
            "org_token::expiry_echoed",
            "an expired-at in the request comes back as the same instant, on create and on read",
            expiry_echoed,
        )
        // The seeds know no expiry; go-tfe: expiry from TFE v202305-1 on.
        .only(CURRENT)
        .destructive(),
        CheckDef::new(
            "org_token::expiry_in_past_rejected",
            "an expired-at in the past is rejected with a 4xx JSON:API error",
            expiry_in_past_rejected,
        )
        .only(CURRENT)
        .destructive(),
        CheckDef::new(
            "org_token::expiry_default",
            "without expired-at the token expires at created-at + 2 years (hcp), that or never (tfe), or never (legacy)",
            expiry_default,
        )
        .destructive(),
        CheckDef::new(
            "org_token::delete_returns_no_content",
            "DELETE answers 204 with an empty body",
            delete_returns_no_content,
        )
        .destructive(),
        CheckDef::new(
            "org_token::deleted_secret_rejected",
            "after DELETE the secret gets 401",
            deleted_secret_rejected,
        )
        .destructive(),
        CheckDef::new(
            "org_token::read_after_delete_not_found",
            "after DELETE, GET answers 404",
            read_after_delete_not_found,
        )
        .destructive(),
        CheckDef::new(
            "org_token::second_delete_not_found",
            "a second DELETE answers 404",
            second_delete_not_found,
        )
        .destructive(),
        CheckDef::new(
            "org_token::unknown_organization_not_found",
            "POST, GET and DELETE on an organization that does not exist answer 404",
            unknown_organization_not_found,
        ),
        CheckDef::new(
            "org_token::malformed_body_rejected",
            "a body that is not JSON gets 400 or 422, never a success or a 5xx",
            malformed_body_rejected,
        )
        .destructive(),
        CheckDef::new(
            "org_token::content_type_required",
            "POST without Content-Type application/vnd.api+json gets 415 (as real TFE) or is handled as JSON:API; never a 5xx",
            content_type_required,
        )
        .destructive(),
    ]
}

/// Creates the organization token as a step other checks depend on.
pub async fn mint(s: &Session, step: &str) -> Result<Minted, Stop> {
    let ex = s
        .call(
            step,
            s.owner()
                .create_organization_token(s.org(), None, &docs_body(None)),
        )
        .await;
    minted(s, ex)
}

/// `mint` by the run's set-up token, for a persona or a target no trial asks about: the owners
/// team's token may create the organization token (seed 002; ref §5).
pub async fn mint_by_setup(s: &Session, step: &str) -> Result<Minted, Stop> {
    let ex = steps::by_setup!(s, step, |c| c.create_organization_token(
        s.org(),
        None,
        &docs_body(None)
    ));
    minted(s, ex)
}

/// An organization token from a create response, remembered for cleanup.
pub fn minted(s: &Session, ex: Exchange) -> Result<Minted, Stop> {
    steps::minted(s, ex, Some(&TOKEN))
}

async fn read(s: &Session, step: &str) -> Exchange {
    s.call(step, s.owner().get_organization_token(s.org(), None))
        .await
}

async fn delete(s: &Session, step: &str) -> Exchange {
    s.call(step, s.owner().delete_organization_token(s.org(), None))
        .await
}

async fn create_returns_token_document(s: Session) -> Result<(), Stop> {
    let ex = s
        .call(
            "create",
            s.owner()
                .create_organization_token(s.org(), None, &docs_body(None)),
        )
        .await;
    s.gate(http::status(&ex, &[201], SEED))?;
    s.check(schema::body_matches(s.spec(), &ex));
    s.check(token::type_is_authentication_tokens(&ex));
    s.check(token::secret_present(&ex));
    let _ = minted(&s, ex);
    Ok(())
}

async fn accepts_real_client_bodies(s: Session) -> Result<(), Stop> {
    let expiry = future_instant(365).format("%Y-%m-%dT%H:%M:%S").to_string();
    let pytfe = |expiry: &str| {
        format!(
            r#"{{"data":{{"type":"authentication-token","attributes":{{"expired-at":"{expiry}"}}}}}}"#
        )
    };
    // Only what real clients send (ref §3); a server may refuse anything else. pytfe writes
    // expired-at with datetime.isoformat(): no zone for a naive datetime, +00:00 for an aware
    // UTC one (pytfe 1.5.0 organization_token.py:81).
    let bodies: [(&str, Option<String>, Option<&'static Break>); 4] = [
        (
            "go-tfe body",
            Some(r#"{"data":{"type":""}}"#.to_string()),
            Some(&clients::GO_TFE_ORG_TOKEN_BODY),
        ),
        (
            "pytfe body (expiry without zone)",
            Some(pytfe(&expiry)),
            Some(&clients::PYTFE_ORG_TOKEN_BODY),
        ),
        (
            "pytfe body (expiry with +00:00)",
            Some(pytfe(&format!("{expiry}+00:00"))),
            Some(&clients::PYTFE_ORG_TOKEN_BODY),
        ),
        ("docs curl sample (no body)", None, None),
    ];
    for (step, body, client) in bodies {
        let mut request = s.raw(
            step,
            s.as_owner(),
            "createOrganizationToken",
            &[("organization_name", s.org())],
        );
        if let Some(body) = body {
            request = request.body(body);
        }
        let ex = request.send().await;
        s.check(
            http::status(
                &ex,
                &[201],
                "ref §3: a server must accept what real clients send",
            )
            .map(|f| match client {
                Some(client) if f.rule == "status" => f.breaks(client),
                _ => f,
            }),
        );
        s.check(token::secret_present(&ex));
        let _ = minted(&s, ex);
    }
    Ok(())
}

async fn read_returns_created_token(s: Session) -> Result<(), Stop> {
    let token = mint(&s, "create").await?;
    let ex = read(&s, "read").await;
    s.gate(http::status(&ex, &[200], "ref §1 #2"))?;
    s.check(token::same_id(&ex, &token.id));
    Ok(())
}

async fn secret_shown_only_on_create(s: Session) -> Result<(), Stop> {
    let token = mint(&s, "create").await?;
    s.gate(token::secret_present(&token.exchange))?;
    let ex = read(&s, "read").await;
    if TokenView::of(&ex).is_none() {
        return Err(s.setup_failed(&ex, "the token document"));
    }
    s.check(token::secret_hidden(&ex));
    Ok(())
}

/// Why a working organization token may get 200 or 404 from `GET /organizations/{org}`
/// (`AUTHENTICATED`): not 401 (ref §5). Nothing documents that it may read the organization,
/// so 404 is as good as 200.
pub const AUTHENTICATED_SOURCE: &str = "ref §4, §5: a valid token is never 401";

async fn new_secret_authenticates(s: Session) -> Result<(), Stop> {
    let secret = mint(&s, "create").await?.secret(&s)?;
    let ex = try_secret(&s, "use the new secret", &secret).await;
    s.check(http::status(&ex, AUTHENTICATED, AUTHENTICATED_SOURCE));
    Ok(())
}

async fn create_replaces_previous(s: Session) -> Result<(), Stop> {
    let first = mint(&s, "first create").await?.secret(&s)?;
    let second = mint(&s, "second create").await?.secret(&s)?;
    let old = try_secret(&s, "use the first secret", &first).await;
    s.check(http::status(
        &old,
        &[401],
        "ref §4: creating replaces the existing token",
    ));
    let new = try_secret(&s, "use the second secret", &second).await;
    s.check(http::status(&new, AUTHENTICATED, AUTHENTICATED_SOURCE));
    Ok(())
}

async fn expiry_echoed(s: Session) -> Result<(), Stop> {
    let expiry = future_instant(30);
    let ex = s
        .call(
            "create with expired-at",
            s.owner()
                .create_organization_token(s.org(), None, &docs_body(Some(expiry))),
        )
        .await;
    let _ = minted(&s, ex.clone())?;
    s.check(token::expiry_is(&ex, expiry));
    let read = read(&s, "read").await;
    s.check(token::expiry_is(&read, expiry));
    Ok(())
}

async fn expiry_in_past_rejected(s: Session) -> Result<(), Stop> {
    let past = past_instant();
    let ex = s
        .call(
            "create with expired-at in the past",
            s.owner()
                .create_organization_token(s.org(), None, &docs_body(Some(past))),
        )
        .await;
    if succeeded(&ex) {
        let _ = minted(&s, ex.clone());
    }
    let source = "ref §2: an expired-at in the past is rejected";
    s.gate(http::client_error(&ex, source))?;
    s.check(http::error_document(&ex, source));
    Ok(())
}

async fn expiry_default(s: Session) -> Result<(), Stop> {
    let token = mint(&s, "create without expired-at").await?;
    s.check(token::expiry_default(
        &token.exchange,
        steps::default_expiry(s.profile()),
    ));
    Ok(())
}

async fn delete_returns_no_content(s: Session) -> Result<(), Stop> {
    mint(&s, "create").await?;
    let ex = delete(&s, "delete").await;
    s.gate(http::status(&ex, &[204], SEED))?;
    s.check(http::empty_body(&ex, SEED));
    Ok(())
}

/// Deletes the token, as a step other checks depend on.
async fn deleted(s: &Session) -> Result<(), Stop> {
    let del = delete(s, "delete").await;
    if !succeeded(&del) {
        return Err(s.setup_failed(&del, "the token deleted (2xx)"));
    }
    Ok(())
}

async fn deleted_secret_rejected(s: Session) -> Result<(), Stop> {
    let secret = mint(&s, "create").await?.secret(&s)?;
    deleted(&s).await?;
    deleted_secret_refused(&s, "use the deleted secret", &secret).await;
    Ok(())
}

async fn read_after_delete_not_found(s: Session) -> Result<(), Stop> {
    mint(&s, "create").await?;
    deleted(&s).await?;
    let ex = read(&s, "read after delete").await;
    s.check(http::status(&ex, &[404], "ref §4"));
    Ok(())
}

async fn second_delete_not_found(s: Session) -> Result<(), Stop> {
    mint(&s, "create").await?;
    deleted(&s).await?;
    let ex = delete(&s, "second delete").await;
    s.check(http::status(&ex, &[404], "ref §4"));
    Ok(())
}

async fn unknown_organization_not_found(s: Session) -> Result<(), Stop> {
    let missing = s.unique_name("missing-org");
    let owner = s.owner();
    let answers = [
        s.call(
            "create in an unknown organization",
            owner.create_organization_token(&missing, None, &docs_body(None)),
        )
        .await,
        s.call(
            "read in an unknown organization",
            owner.get_organization_token(&missing, None),
        )
        .await,
        s.call(
            "delete in an unknown organization",
            owner.delete_organization_token(&missing, None),
        )
        .await,
    ];
    all_not_found(&s, &answers, "ref §5: unknown organization is 404");
    Ok(())
}

async fn malformed_body_rejected(s: Session) -> Result<(), Stop> {
    let ex = s
        .raw(
            "create with a truncated JSON body",
            s.as_owner(),
            "createOrganizationToken",
            &[("organization_name", s.org())],
        )
        .body(r#"{"data": {"type": "authentication-token", "attributes": {"#)
        .send()
        .await;
    if succeeded(&ex) {
        let _ = minted(&s, ex.clone());
    }
    s.check(http::status(
        &ex,
        &[400, 422],
        "ref §6: malformed body is 400 or 422",
    ));
    Ok(())
}

async fn content_type_required(s: Session) -> Result<(), Stop> {
    let ex = s
        .raw(
            "create without Content-Type",
            s.as_owner(),
            "createOrganizationToken",
            &[("organization_name", s.org())],
        )
        .content_type(None)
        .body(r#"{"data":{"type":"authentication-token"}}"#)
        .send()
        .await;
    if succeeded(&ex) {
        let _ = minted(&s, ex.clone());
    }
    // Real TFE answers 415 (ref §3; go-tfe's history shows it), but no document or client
    // requires a server to: handling the body as JSON:API is as good. Failing on it is not.
    s.check(http::status(
        &ex,
        &[200, 201, 400, 415, 422],
        "ref §3: real TFE answers 415; accepting the body is no fault, a 5xx is",
    ));
    Ok(())
}

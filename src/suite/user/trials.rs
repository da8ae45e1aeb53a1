//! User tokens' trials (reference §1 #12-#13, §5): created for the calling user (found through
//! `GET /account/details`), listed and shown only to that user, deleted by id. The harness
//! deletes only the tokens it created, never the one it runs with.

use crate::suite::prelude::*;
use serde_json::Value;

use super::cleanup::TOKEN;

const REF: &str = "ref §1 #13";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "user_token::create_returns_token_document",
            "POST /users/{id}/authentication-tokens answers 201 with a valid document, a secret and the description",
            create_returns_token_document,
        ),
        CheckDef::new(
            "user_token::secret_authenticates_as_user",
            "the new secret authenticates as the same user (GET /account/details)",
            secret_authenticates_as_user,
        ),
        CheckDef::new(
            "user_token::listed_without_secret",
            "GET /users/{id}/authentication-tokens lists the new token, every secret null",
            listed_without_secret,
        ),
        CheckDef::new(
            "user_token::read_hides_secret",
            "GET /authentication-tokens/{id} answers 200 with the same id and a null secret",
            read_hides_secret,
        ),
        CheckDef::new(
            "user_token::delete_revokes",
            "DELETE /authentication-tokens/{id} answers 204; then the secret gets 401, GET and DELETE 404",
            delete_revokes,
        ),
        CheckDef::new(
            "user_token::invisible_to_other_tokens",
            "a team's token sees none of the user's tokens: an empty list (or 404), and 404 by id",
            invisible_to_other_tokens,
        ),
        CheckDef::new(
            "user_token::unknown_user_not_found",
            "GET /users/{id}/authentication-tokens for a user that does not exist answers 404",
            unknown_user_not_found,
        ),
    ]
    .into_iter()
    .map(|c| c.only(CURRENT))
    .collect()
}

async fn create(s: &Session, user: &str, description: &str) -> Exchange {
    s.call(
        &format!("create user token {description:?}"),
        s.owner()
            .create_user_token(user, &described_body(Some(description), None)),
    )
    .await
}

pub(super) fn minted(s: &Session, ex: Exchange) -> Result<Minted, Stop> {
    steps::minted(s, ex, Some(&TOKEN))
}

async fn create_returns_token_document(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let description = s.unique_name("user");
    let ex = create(&s, &user, &description).await;
    s.gate(http::status(&ex, &[201], REF))?;
    let _ = minted(&s, ex.clone());
    s.check(schema::body_matches(s.spec(), &ex));
    s.check(token::type_is_authentication_tokens(&ex));
    s.check(token::secret_present(&ex));
    s.check(token::description_is(&ex, &description));
    Ok(())
}

async fn secret_authenticates_as_user(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let secret = minted(&s, create(&s, &user, &s.unique_name("user")).await)?.secret(&s)?;
    let ex = s
        .call(
            "account details with the new secret",
            s.bearer(&secret).get_account_details(),
        )
        .await;
    s.gate(http::status(
        &ex,
        &[200],
        "ref §1: a user token acts as its user",
    ))?;
    let id = ex.json().and_then(|d| {
        d.pointer("/data/id")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    if id.as_deref() != Some(user.as_str()) {
        s.check([Finding::new(
            "user",
            &ex,
            format!("user {user:?}"),
            format!("{:?}", id.unwrap_or_default()),
        )
        .at("/data/id")
        .source("ref §1: a user token acts as its user")]);
    }
    Ok(())
}

async fn listed_without_secret(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let created = minted(&s, create(&s, &user, &s.unique_name("user")).await)?;
    let ex = s
        .call(
            "list the user's tokens",
            s.owner().list_user_tokens(&user, None, None),
        )
        .await;
    s.gate(http::status(&ex, &[200], "ref §1 #12"))?;
    s.check(list::contains(&ex, &[&created.id], "ref §1 #12"));
    s.check(list::secrets_hidden(&ex));
    Ok(())
}

async fn read_hides_secret(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let created = minted(&s, create(&s, &user, &s.unique_name("user")).await)?;
    steps::read_by_id_hides_secret(&s, &created, "ref §1 #8").await?;
    Ok(())
}

async fn delete_revokes(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let created = minted(&s, create(&s, &user, &s.unique_name("user")).await)?;
    steps::delete_by_id_revokes(&s, &created).await
}

async fn invisible_to_other_tokens(s: Session) -> Result<(), Stop> {
    let user = fixtures::user_id(&s).await?;
    let created = minted(&s, create(&s, &user, &s.unique_name("user")).await)?;
    let team = fixtures::team(&s, "outsider").await?;
    let ex = s
        .call(
            "create the team's token",
            s.owner().create_team_token(&team.id, &docs_body(None)),
        )
        .await;
    let other = steps::minted(&s, ex, None)?.secret(&s)?;
    let source = "ref §5: only the user's own token sees its user tokens";
    let as_team = s.bearer(&other);
    let ex = s
        .call(
            "list the user's tokens as the team",
            as_team.list_user_tokens(&user, None, None),
        )
        .await;
    if ex.status() == Some(200) {
        s.check(list::excludes(&ex, &[&created.id], source));
    } else {
        s.check(http::status(&ex, &[200, 404], source));
    }
    let ex = s
        .call(
            "read the user token as the team",
            as_team.get_authentication_token(&created.id),
        )
        .await;
    s.check(http::status(&ex, &[404], source));
    Ok(())
}

async fn unknown_user_not_found(s: Session) -> Result<(), Stop> {
    // Shaped like the caller's own id, so that a server parsing ids sees a missing user.
    let missing = missing_like(&fixtures::user_id(&s).await?);
    let ex = s
        .call(
            "list the tokens of a user that does not exist",
            s.owner().list_user_tokens(&missing, None, None),
        )
        .await;
    s.check(http::status(
        &ex,
        &[404],
        "user-tokens docs: 404 \"User not found\" (ref §5)",
    ));
    Ok(())
}

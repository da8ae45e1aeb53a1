//! Authentication (reference §5): a missing or unknown token gets 401 with a JSON:API error
//! document, on the token endpoints and on the fixtures alike.

use super::{CheckDef, Session, Stop};
use rand::Rng;

use crate::{checks::http, client::Auth, redact::Secret};

const SOURCE: &str = "ref §5: 401 is reserved for problems with the token";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "auth::missing_token_unauthorized",
            "no Authorization header gets 401 with a JSON:API error document",
            missing_token_unauthorized,
        ),
        CheckDef::new(
            "auth::unknown_token_unauthorized",
            "a well-formed token the server never issued gets 401 with a JSON:API error document",
            unknown_token_unauthorized,
        ),
    ]
}

async fn probe(s: &Session, auth: Auth, what: &str) {
    let anon = s.client(auth);
    let ex = s
        .call(
            &format!("read the organization token {what}"),
            anon.get_organization_token(s.org(), None),
        )
        .await;
    s.check(http::status(&ex, &[401], SOURCE));
    s.check(http::error_document(&ex, SOURCE));
    let ex = s
        .call(
            &format!("show the organization {what}"),
            anon.get_organization(s.org()),
        )
        .await;
    s.check(http::status(&ex, &[401], SOURCE));
    s.check(http::error_document(&ex, SOURCE));
}

async fn missing_token_unauthorized(s: Session) -> Result<(), Stop> {
    probe(&s, Auth::None, "without a token").await;
    Ok(())
}

async fn unknown_token_unauthorized(s: Session) -> Result<(), Stop> {
    // Shaped like a real secret, so that only its being unknown can make the server refuse it.
    let fake = Secret::new(format!(
        "{}.atlasv1.{}",
        random_alphanumeric(14),
        random_alphanumeric(67)
    ));
    probe(&s, Auth::Bearer(fake), "with an unknown token").await;
    Ok(())
}

fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

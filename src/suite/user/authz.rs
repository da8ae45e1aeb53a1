//! User tokens in the authorization matrix (ref §5: only the user's own user tokens may see
//! or touch them; others get 404, or an empty list), and another of the owner's user tokens
//! as a persona.

use super::cleanup::TOKEN;
use crate::suite::prelude::*;

pub const ROWS: &[Row] = &[
    Row {
        name: "show_user_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[200]),
        source: "ref §5: user tokens only to the user's own user token; others 404",
        prepare: prepare!(|s| Target::id(user_token(&s, &fixtures::user_id(&s).await?).await?)),
        act: READ_BY_ID,
        entitlement: None,
    },
    Row {
        name: "delete_user_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[204]),
        source: "ref §5: user tokens only to the user's own user token; others 404",
        prepare: prepare!(|s| Target::id(user_token(&s, &fixtures::user_id(&s).await?).await?)),
        act: DELETE_BY_ID,
        entitlement: None,
    },
    Row {
        name: "list_user_tokens",
        operation: "listUserTokens",
        profiles: CURRENT,
        destructive: false,
        expect: [
            Expect::Listed,
            Expect::Hidden,
            Expect::Hidden,
            Expect::Hidden,
            Expect::Listed,
            BAD,
            BAD,
            BAD,
        ],
        source: "ref §5: others get an empty list, or 404",
        prepare: |s, _| {
            Box::pin(async move {
                let user = fixtures::user_id(&s).await?;
                let listed = user_token(&s, &user).await?;
                Ok(Target {
                    listed,
                    ..Target::id(user)
                })
            })
        },
        act: act!(|s, c, t| c.list_user_tokens(&t.key, None, None)),
        entitlement: None,
    },
    Row {
        name: "create_user_token",
        operation: "createUserToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[201]),
        source: "ref §1 #13, §5",
        prepare: prepare!(|s| Target::id(fixtures::user_id(&s).await?)),
        act: act!(
            |s, c, t| c.create_user_token(
                &t.key,
                &described_body(Some(&s.unique_name("persona-made")), None)
            ),
            remembering & TOKEN
        ),
        entitlement: None,
    },
];

/// A new token of `user`'s (its id).
async fn user_token(s: &Session, user: &str) -> Result<String, Stop> {
    let ex = s
        .call(
            "target: create a user token",
            s.owner()
                .create_user_token(user, &described_body(Some(&s.unique_name("target")), None)),
        )
        .await;
    Ok(steps::minted(s, ex, Some(&TOKEN))?.id)
}

pub const PERSONAS: &[Provider] = &[Provider {
    persona: Persona::OwnUserToken,
    profiles: CURRENT,
    destructive: false,
    // Another of the user's tokens: a correct server lets it touch only what is the user's, and
    // no row acts on the persona itself (ref §5).
    shared: true,
    provision: |s| {
        Box::pin(async move {
            let user = fixtures::user_id(&s).await?;
            let ex = s
                .call(
                    "persona: create another user token",
                    s.owner().create_user_token(
                        &user,
                        &described_body(Some(&s.unique_name("persona")), None),
                    ),
                )
                .await;
            Ok(Auth::Bearer(
                steps::minted(&s, ex, Some(&TOKEN))?.secret(&s)?,
            ))
        })
    },
}];

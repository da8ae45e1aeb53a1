//! The secret as a credential, exactly: what every family's credential trials share. A
//! secret authenticates as itself and nothing near it; once its token is rotated, deleted,
//! expired or gone with its team, it gets 401 on every endpoint, not only the one a trial
//! happens to use.
//!
//! Where this rests on inference rather than a sentence of the docs: a string the server
//! never issued is an unknown token, and an unknown token gets 401 (ref §5), so the same
//! secret with its case changed, cut short, lengthened or with its last characters changed
//! must get 401: TFE's secrets are random letters and digits of both cases, and a server that
//! compares them loosely accepts strings it never issued. A revoked token gets 401 on the
//! API (ref §4, §5), and nothing limits that to one endpoint.

use chrono::{DateTime, Duration as Span, Utc};

use crate::{
    checks::{http, token::TokenView},
    exchange::Exchange,
    redact::Secret,
    suite::{
        Session, Stop,
        steps::{AUTHENTICATED, Minted, try_secret},
    },
};

/// Why a string near a secret must be refused.
pub const EXACT: &str = "ref §5: a token the server never issued gets 401; a secret is the \
                         credential exactly (its case, its length, every character), as the \
                         random secrets TFE issues are";

/// Why a revoked token is refused on every endpoint.
pub const EVERYWHERE: &str = "ref §4, §5: a rotated, deleted or expired token no longer \
                              authenticates (401), whatever it is used on";

/// Strings that differ from `secret` the ways a loose comparison misses: its case changed,
/// cut short by one, one character longer, its last characters changed. Each is registered
/// for redaction like the secret it comes from.
pub fn near_misses(secret: &Secret) -> Vec<(&'static str, Secret)> {
    let real = secret.expose();
    let mut out = Vec::new();
    let swapped: String = real
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    out.push(("its case changed", swapped));
    let mut chars: Vec<char> = real.chars().collect();
    if chars.len() > 1 {
        out.push((
            "cut short by one",
            chars[..chars.len() - 1].iter().collect(),
        ));
    }
    out.push(("one character longer", format!("{real}x")));
    let n = chars.len();
    for c in chars.iter_mut().skip(n.saturating_sub(3)) {
        *c = match *c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            _ => 'a',
        };
    }
    out.push(("its last characters changed", chars.into_iter().collect()));
    out.into_iter()
        .filter(|(_, v)| v != real && !v.is_empty())
        .map(|(how, v)| (how, Secret::new(v)))
        .collect()
}

/// Every string near `secret` gets 401 (GET /organizations/{org}).
pub async fn near_misses_refused(s: &Session, secret: &Secret) {
    for (how, near) in near_misses(secret) {
        let ex = s
            .call(
                &format!("use the secret with {how}"),
                s.bearer(&near).get_organization(s.org()),
            )
            .await;
        s.check(http::status(&ex, &[401], EXACT));
    }
}

/// `secret` gets 401 on three endpoints: the organization, its teams, the calling account.
pub async fn refused_everywhere(s: &Session, what: &str, secret: &Secret) {
    let c = s.bearer(secret);
    let answers = [
        s.call(
            &format!("{what}: show the organization"),
            c.get_organization(s.org()),
        )
        .await,
        s.call(
            &format!("{what}: list the teams"),
            c.list_teams(s.org(), None, None),
        )
        .await,
        s.call(&format!("{what}: account details"), c.get_account_details())
            .await,
    ];
    for ex in &answers {
        s.check(http::status(ex, &[401], EVERYWHERE));
    }
}

/// The target's clock, as seen from here: how far ahead of this machine's it runs, and how
/// long a request takes there and back. Read from an answer that carries the server's time
/// (a token's created-at), and the moments the request left and the answer came.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    ahead: Span,
    round_trip: Span,
    /// The server shows its times in whole seconds (no document asks for fractions): each
    /// it shows may be up to a second before the instant it stands for.
    whole_seconds: bool,
}

impl Clock {
    pub fn of(ex: &Exchange) -> Option<Clock> {
        let created = TokenView::of(ex)?.created_at?;
        let round_trip = Span::from_std(ex.elapsed).ok()?;
        let sent = Utc::now() - Span::from_std(ex.started.elapsed()).ok()?;
        Some(Clock {
            ahead: created - (sent + round_trip / 2),
            round_trip,
            whole_seconds: created.timestamp_subsec_nanos() == 0,
        })
    }

    /// The target's time now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.ahead
    }

    /// How soon an expiry may be set and still be in the future when the server reads it.
    pub fn soonest(&self) -> Span {
        Span::milliseconds(50) + self.round_trip * 4
    }

    /// Waits until the target's time is past `instant`, with room for the uncertainty of
    /// this reading.
    pub async fn wait_past(&self, instant: DateTime<Utc>) {
        let mut margin = Span::milliseconds(50) + self.round_trip * 2;
        if self.whole_seconds {
            // The clock read from a time cut to the second, and an expiry shown cut to it.
            margin += Span::seconds(2);
        }
        let left = instant + margin - self.now();
        if let Ok(left) = left.to_std() {
            tokio::time::sleep(left).await;
        }
    }
}

/// A token that expires soon, made by `create(expired-at)`: the moment it is set to expire
/// (as its create answer says), and the token. `None` where the server refuses an expiry that
/// close even the second time, at five seconds: no document sets a least expiry, so that is no
/// failure, and the expiry cannot be checked.
pub async fn expiring_soon<F, Fut>(
    s: &Session,
    clock: Clock,
    mut create: F,
) -> Result<Option<(DateTime<Utc>, Exchange)>, Stop>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Exchange>,
{
    for ahead in [clock.soonest(), Span::seconds(5)] {
        let at = (clock.now() + ahead).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let ex = create(at).await;
        if ex.status().is_some_and(|st| (400..500).contains(&st)) {
            continue;
        }
        s.gate(http::status(
            &ex,
            &[200, 201],
            "ref §2: a future expiry is taken",
        ))?;
        let expiry = TokenView::of(&ex)
            .and_then(|v| match v.expired_at {
                crate::checks::token::Field::Value(serde_json::Value::String(t)) => {
                    crate::checks::token::parse_time(&t)
                }
                _ => None,
            })
            .ok_or_else(|| s.setup_failed(&ex, "the expired-at of a token just made"))?;
        return Ok(Some((expiry, ex)));
    }
    Ok(None)
}

/// Why a token past its expiry is refused.
pub const EXPIRED: &str = "ref §4: a token past its expired-at no longer authenticates";

/// A token deleted by id (a team's several tokens, a user's) as a credential: its secret
/// authenticates and nothing near it does; deleted, it gets 401 on every endpoint; made to
/// expire in moments, it gets 401 once past its expiry. `create(description, expired_at)`
/// makes one of the family's tokens (with that `expired-at` when given); `minted` reads it
/// out of the answer and remembers it for cleanup.
pub async fn by_id_credential<C, Fut>(
    s: &Session,
    create: C,
    minted: fn(&Session, Exchange) -> Result<Minted, Stop>,
) -> Result<(), Stop>
where
    C: Fn(&'static str, Option<String>) -> Fut,
    Fut: std::future::Future<Output = Exchange>,
{
    let ex = create("exact", None).await;
    let clock = Clock::of(&ex);
    let token = minted(s, ex)?;
    let secret = token.secret(s)?;
    let ex = try_secret(s, "use the secret", &secret).await;
    s.gate(http::status(&ex, AUTHENTICATED, "ref §4, §5: a live token"))?;
    near_misses_refused(s, &secret).await;

    let ex = s
        .call(
            "delete the token",
            s.owner().delete_authentication_token(&token.id),
        )
        .await;
    s.gate(http::status(&ex, &[204], "ref §1 #9"))?;
    refused_everywhere(s, "the deleted token", &secret).await;

    let Some(clock) = clock else {
        return Ok(());
    };
    let expiring = expiring_soon(s, clock, |at| create("expiring", Some(at))).await?;
    if let Some((expiry, ex)) = expiring {
        let secret = minted(s, ex)?.secret(s)?;
        clock.wait_past(expiry).await;
        let ex = try_secret(s, "use it past its expiry", &secret).await;
        s.check(http::status(&ex, &[401], EXPIRED));
    }
    Ok(())
}

/// The body of a create with a description and, when given, an `expired-at` exactly as
/// written (a typed body would write the instant its own way).
pub fn body_with_expiry(description: &str, expired_at: Option<&str>) -> String {
    let mut attributes = serde_json::json!({ "description": description });
    if let Some(at) = expired_at {
        attributes["expired-at"] = at.into();
    }
    serde_json::json!({"data": {"type": "authentication-tokens", "attributes": attributes}})
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_differ_from_the_secret_and_from_one_another() {
        let secret = Secret::new("AbCdEfGhIjKlMn.atlasv1.zz9");
        let near = near_misses(&secret);
        let values: Vec<&str> = near.iter().map(|(_, s)| s.expose()).collect();
        assert_eq!(
            values,
            [
                "aBcDeFgHiJkLmN.ATLASV1.ZZ9",
                "AbCdEfGhIjKlMn.atlasv1.zz",
                "AbCdEfGhIjKlMn.atlasv1.zz9x",
                "AbCdEfGhIjKlMn.atlasv1.aa0",
            ]
        );
        // A secret without letters has no case to change.
        assert_eq!(near_misses(&Secret::new("12345")).len(), 3);
    }
}

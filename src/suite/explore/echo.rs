//! Generated inputs a token create must take and give back, shared by the families whose
//! tokens carry a description and an expiry (team, user and agent tokens; ref §1 #7, #13,
//! #14): a description of any script and length a client may send comes back as sent, on
//! create and on read by id; an `expired-at` in any RFC 3339 form comes back as the same
//! instant. A family says how it makes a token (`Create`); each case's token is read back by
//! id, and deleted again where its family's tokens have no holder of their own to go with.

use std::future::Future;

use super::{Moment, body_with_expiry, explore, moment, text};
use crate::{
    checks::{http, token},
    client::Auth,
    exchange::Exchange,
    suite::{
        Session, Stop,
        steps::{Minted, read_back},
    },
};

/// How a family makes one token for a case, and what the docs say it answers.
pub struct Create {
    /// What a create answers (201; 200 too where the family's docs give no status).
    pub created: &'static [u16],
    /// The shortest description the family takes (agent tokens require one).
    pub shortest: usize,
    /// Where the family's docs give the description and the expiry.
    pub description_source: &'static str,
    pub expiry_source: &'static str,
    /// Reads the token out of the answer and remembers it for cleanup.
    pub minted: fn(&Session, Exchange) -> Result<Minted, Stop>,
    /// The family's tokens go with no holder the case made (a user's): each case's
    /// description then starts with a name carrying the run's tag, so that the final sweep
    /// finds a token whose create answer never came, and each case's token is deleted by id
    /// once it is checked, so that no case meets another's description.
    pub alone: bool,
    /// Who reads (and deletes) a case's token by id: the credential that made it.
    pub caller: fn(&Session) -> Auth,
}

/// `trial`: descriptions of up to 100 characters of any script (after the tagged name, where
/// the family's tokens are `alone`), each sent by `send(case session, body)` (the JSON:API
/// body of a create), taken and echoed on create and on read.
pub async fn descriptions_echoed<F, Fut>(
    s: &Session,
    trial: &str,
    how: &Create,
    send: F,
) -> Result<(), Stop>
where
    F: Fn(Session, String) -> Fut,
    Fut: Future<Output = Result<Exchange, Stop>>,
{
    let (send, shortest) = (&send, how.shortest);
    explore(
        s,
        trial,
        2,
        move || text(shortest, 100),
        |d| format!("description {d:?}"),
        |s, drawn: String| async move {
            let description = if how.alone {
                format!("{} {drawn}", s.unique_name("input"))
            } else {
                drawn
            };
            let ex = send(s.clone(), body_with_expiry(&description, None)).await?;
            echoed(&s, how, ex, how.description_source, |ex| {
                token::description_is(ex, &description)
            })
            .await
        },
    )
    .await
}

/// `trial`: an `expired-at` in any RFC 3339 form (`Z` or an offset, 0 to 6 digits of a
/// second), sent by `send(case session, body)`, taken and given back as the same instant on
/// create and on read.
pub async fn expiries_echoed<F, Fut>(
    s: &Session,
    trial: &str,
    how: &Create,
    send: F,
) -> Result<(), Stop>
where
    F: Fn(Session, String) -> Fut,
    Fut: Future<Output = Result<Exchange, Stop>>,
{
    let send = &send;
    explore(
        s,
        trial,
        2,
        moment,
        |m| format!("{m:?}"),
        |s, moment: Moment| async move {
            let sent = moment.text(chrono::Utc::now());
            let description = s.unique_name("expiry");
            let ex = send(s.clone(), body_with_expiry(&description, Some(&sent))).await?;
            echoed(&s, how, ex, how.expiry_source, |ex| {
                token::expiry_echoes(ex, &sent)
            })
            .await
        },
    )
    .await
}

/// A case's create answer `ex`: taken (`source`), what was sent given back (`gives_back`) on
/// create and on a read by id, and the token deleted where its family asks for it (204,
/// ref §1 #9).
async fn echoed<C, I>(
    s: &Session,
    how: &Create,
    ex: Exchange,
    source: &str,
    gives_back: C,
) -> Result<(), Stop>
where
    C: Fn(&Exchange) -> I,
    I: IntoIterator<Item = crate::checks::Finding>,
{
    s.gate(http::status(&ex, how.created, source))?;
    s.check(gives_back(&ex));
    let made = (how.minted)(s, ex)?;
    let read = read_back(s, (how.caller)(s), &made.id).await?;
    s.check(gives_back(&read));
    if how.alone {
        let ex = s
            .call(
                "delete it by id",
                s.client((how.caller)(s))
                    .delete_authentication_token(&made.id),
            )
            .await;
        s.gate(http::status(&ex, &[204], "ref §1 #9"))?;
    }
    Ok(())
}

//! Authorization checks (seeds 000/001, reference §5): 401 only for a bad token, 404 (never
//! 403, but for bulk delete) for what a valid token may not touch, and "exists but forbidden"
//! indistinguishable from "does not exist".

use super::{Finding, http, list};
use crate::{exchange::Exchange, redact};

/// The user's tokens are not shown to someone else: a list without `hidden`, or 404.
pub fn hidden(ex: &Exchange, hidden: &[&str], source: &str) -> Option<Finding> {
    match ex.status() {
        Some(200) => list::excludes(ex, hidden, source),
        _ => http::status(ex, &[200, 404], source),
    }
}

/// The two answers carry the same status, media type and body, once the one identifier that
/// differs between the requests (`exists_key` / `missing_key`) is put aside.
pub fn indistinguishable(
    exists: &Exchange,
    missing: &Exchange,
    exists_key: &str,
    missing_key: &str,
) -> Vec<Finding> {
    let source = "seed 000: 404 for what you may not access as for what does not exist";
    let (Some(a), Some(b)) = (exists.response(), missing.response()) else {
        let broken = if exists.response().is_none() {
            exists
        } else {
            missing
        };
        return vec![Finding::no_response(broken)];
    };
    let mut findings = Vec::new();
    if a.status != b.status {
        findings.push(
            Finding::new(
                "existence-leak",
                exists,
                format!("the status answered for a missing one ({})", b.status),
                a.status.to_string(),
            )
            .source(source),
        );
    }
    if a.media_type() != b.media_type() {
        findings.push(
            Finding::new(
                "existence-leak",
                exists,
                format!(
                    "the media type answered for a missing one ({:?})",
                    b.media_type()
                ),
                format!("{:?}", a.media_type()),
            )
            .source(source),
        );
    }
    let shown = |body: &[u8], key: &str| put_aside(&String::from_utf8_lossy(body), key);
    let (body_a, body_b) = (shown(&a.body, exists_key), shown(&b.body, missing_key));
    if body_a != body_b {
        findings.push(
            Finding::new(
                "existence-leak",
                exists,
                format!("the body answered for a missing one: {}", excerpt(&body_b)),
                excerpt(&body_a),
            )
            .source(source),
        );
    }
    findings
}

/// `text` with every whole occurrence of `key` (an id or a name: not part of a longer run of
/// letters, digits, `-` or `_`) replaced by `[target]`. A short key, such as an organization
/// called `o`, must not be taken out of the words around it.
fn put_aside(text: &str, key: &str) -> String {
    if key.is_empty() {
        return text.to_string();
    }
    let part_of_name =
        |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(key) {
        let before = text[..at].chars().next_back();
        let after = text[at + key.len()..].chars().next();
        if !part_of_name(before) && !part_of_name(after) {
            out.push_str(&text[copied..at]);
            out.push_str("[target]");
            copied = at + key.len();
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn excerpt(text: &str) -> String {
    redact::excerpt(text.as_bytes(), 200)
}

/// The user-token list (user-tokens docs, ref §5): someone other than the user gets 200 with
/// none of the user's tokens, and a user that does not exist is 404. That pair tells an
/// existing user id from a missing one, and it is documented, so it is no leak; the same
/// answer for both (the seeds' 404) is fine too. `hidden` are the user's tokens.
pub fn user_list_documented(
    exists: &Exchange,
    missing: &Exchange,
    exists_key: &str,
    missing_key: &str,
    hidden: &[&str],
) -> Vec<Finding> {
    let source = "user-tokens docs: 200 with no tokens for anyone but the user, 404 for a \
                  user that does not exist (ref §5)";
    // The documented pair is decided first: building the findings of `indistinguishable` only
    // to drop them would redact their text for nothing.
    if (exists.status(), missing.status()) == (Some(200), Some(404)) {
        return list::excludes(exists, hidden, source).into_iter().collect();
    }
    let same = indistinguishable(exists, missing, exists_key, missing_key);
    if same.is_empty() {
        return same;
    }
    match (exists.status(), missing.status()) {
        (Some(a), Some(b)) => vec![
            Finding::new(
                "existence-leak",
                exists,
                format!(
                    "200 without the user's tokens and 404 for a missing user, or the same \
                     answer for both (the missing user got {b})"
                ),
                a.to_string(),
            )
            .source(source),
        ],
        _ => same,
    }
}

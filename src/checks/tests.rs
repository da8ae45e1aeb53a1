//! Checks judged on canned exchanges, without a server.

use super::{authz, http, list, token};
use crate::{config::DefaultExpiry, exchange::Exchange};

fn rules(findings: &[super::Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule).collect()
}

const TWO_ITEMS: &str = r#"{"data":[{"id":"at-1","type":"authentication-tokens"},
    {"id":"at-2","type":"authentication-tokens"}]"#;

fn page_of_two() -> list::Page {
    list::Page {
        number: 1,
        size: 2,
        total_count: 3,
    }
}

#[test]
fn a_list_without_links_or_meta_passes_when_no_page_was_asked_for() {
    let ex = Exchange::canned(
        "listTeamTokens",
        "/api/v2/x/team-tokens",
        200,
        &format!("{TWO_ITEMS}}}"),
    );
    assert!(list::pagination(&ex, &page_of_two()).is_empty());
}

#[test]
fn a_page_asked_for_needs_meta_pagination_but_not_links() {
    let path = "/api/v2/x/team-tokens?page%5Bnumber%5D=1&page%5Bsize%5D=2";
    let bare = Exchange::canned("listTeamTokens", path, 200, &format!("{TWO_ITEMS}}}"));
    let found = list::pagination(&bare, &page_of_two());
    // prev-page may be absent on a first page: five members missing.
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found.iter().all(|f| {
        f.pointer
            .as_deref()
            .unwrap_or("")
            .starts_with("/meta/pagination/")
    }));

    let meta = r#","meta":{"pagination":{"current-page":1,"page-size":2,"prev-page":null,
        "next-page":2,"total-pages":2,"total-count":3}}}"#;
    let right = Exchange::canned("listTeamTokens", path, 200, &format!("{TWO_ITEMS}{meta}"));
    assert!(list::pagination(&right, &page_of_two()).is_empty());

    let good_links = r#","links":{"self":"a","next":"b","prev":null}"#;
    let with = Exchange::canned(
        "listTeamTokens",
        path,
        200,
        &format!("{TWO_ITEMS}{good_links}{meta}"),
    );
    assert!(list::pagination(&with, &page_of_two()).is_empty());

    let bad_links = r#","links":{"next":null,"prev":"a"}"#;
    let wrong = Exchange::canned(
        "listTeamTokens",
        path,
        200,
        &format!("{TWO_ITEMS}{bad_links}{meta}"),
    );
    let found = list::pagination(&wrong, &page_of_two());
    let pointers: Vec<_> = found.iter().filter_map(|f| f.pointer.clone()).collect();
    assert_eq!(pointers, ["/links/prev", "/links/next"]);
}

#[test]
fn an_empty_string_where_the_secret_was_is_called_one() {
    let body = r#"{"data":{"id":"at-1","type":"authentication-tokens","attributes":{"token":""}}}"#;
    let ex = Exchange::canned(
        "getAuthenticationToken",
        "/api/v2/authentication-tokens/at-1",
        200,
        body,
    );
    let finding = token::secret_hidden(&ex).expect("a finding");
    assert_eq!(finding.actual, "an empty string");
    let list = format!(r#"{{"data":[{}]}}"#, &body[8..body.len() - 1]);
    let ex = Exchange::canned("listTeamTokens", "/api/v2/x", 200, &list);
    assert_eq!(list::secrets_hidden(&ex)[0].actual, "an empty string");
}

#[test]
fn a_final_429_is_a_rate_limit_finding_never_a_pass() {
    let ex = Exchange::canned(
        "getOrganization",
        "/api/v2/organizations/x",
        429,
        r#"{"errors":[{"status":429}]}"#,
    );
    assert_eq!(
        http::status(&ex, &[200], "x").map(|f| f.rule),
        Some("rate-limit")
    );
    assert_eq!(
        http::client_error(&ex, "x").map(|f| f.rule),
        Some("rate-limit")
    );
    assert_eq!(http::status(&ex, &[429], "x"), None);
}

#[test]
fn no_answer_is_never_a_pass() {
    let ex = Exchange::unanswered("deleteTeam", "/api/v2/teams/team-1");
    for finding in [
        http::status(&ex, &[204], "x"),
        http::client_error(&ex, "x"),
        http::empty_body(&ex, "x"),
        http::error_document(&ex, "x"),
    ] {
        assert_eq!(finding.map(|f| f.rule), Some("transport"));
    }
}

#[test]
fn the_user_token_list_may_tell_a_missing_user_as_documented() {
    let list = "listUserTokens";
    let empty = Exchange::canned(
        list,
        "/api/v2/users/user-a/authentication-tokens",
        200,
        r#"{"data":[]}"#,
    );
    let gone = Exchange::canned(
        list,
        "/api/v2/users/user-b/authentication-tokens",
        404,
        r#"{"errors":[{"status":"404"}]}"#,
    );
    let shown = Exchange::canned(
        list,
        "/api/v2/users/user-a/authentication-tokens",
        200,
        r#"{"data":[{"id":"at-9","type":"authentication-tokens"}]}"#,
    );
    let check = |a: &Exchange, b: &Exchange| {
        authz::user_list_documented(a, b, "user-a", "user-b", &["at-9"])
    };
    assert!(check(&empty, &gone).is_empty(), "the documented pair");
    assert!(check(&empty, &empty).is_empty(), "the same answer");
    assert!(check(&gone, &gone).is_empty(), "the seeds' 404 for both");
    assert_eq!(rules(&check(&shown, &gone)), ["list-items"]);
    assert_eq!(rules(&check(&gone, &empty)), ["existence-leak"]);
}

#[test]
fn the_default_expiry_is_held_to_what_the_profile_allows() {
    let doc = |expired: &str| {
        format!(
            r#"{{"data":{{"id":"at-1","type":"authentication-tokens","attributes":
            {{"created-at":"2025-03-01T10:00:00.000Z","token":"x","expired-at":{expired}}}}}}}"#
        )
    };
    let two_years = Exchange::canned(
        "createOrganizationToken",
        "/x",
        201,
        &doc(r#""2027-03-01T10:00:30Z""#),
    );
    let never = Exchange::canned("createOrganizationToken", "/x", 201, &doc("null"));
    let one_year = Exchange::canned(
        "createOrganizationToken",
        "/x",
        201,
        &doc(r#""2026-03-01T10:00:00Z""#),
    );
    use DefaultExpiry::*;
    let verdict = |ex: &Exchange, d| token::expiry_default(ex, d).is_none();
    assert!(verdict(&two_years, TwoYears) && verdict(&two_years, TwoYearsOrNever));
    assert!(!verdict(&two_years, Never));
    assert!(verdict(&never, Never) && verdict(&never, TwoYearsOrNever));
    assert!(!verdict(&never, TwoYears));
    for d in [TwoYears, TwoYearsOrNever, Never] {
        assert!(!verdict(&one_year, d), "{d:?}");
    }
}

#[test]
fn a_compacted_body_keeps_its_json_and_says_how_long_it_was() {
    let padded = format!(r#"{{"data":[]}}{}"#, " ".repeat(200_000));
    let ex = Exchange::canned("listTeamTokens", "/x", 200, &padded);
    let response = ex.response().expect("response");
    let cut = response.compacted(crate::exchange::KEEP_FOR_REPORTS);
    assert_eq!(cut.body.len(), crate::exchange::KEEP_FOR_REPORTS);
    assert_eq!(cut.full_len, Some(padded.len()));
    assert_eq!(cut.json(), Some(&serde_json::json!({"data": []})));
    // The checks see the document as it came.
    assert!(list::secrets_hidden(&ex).is_empty());
}

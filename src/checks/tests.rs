//! Checks judged on canned exchanges, without a server.

use super::token::DefaultExpiry;
use super::{authz, http, list, token};
use crate::exchange::Exchange;

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
    // prev-page may be absent on a first page, and page-size anywhere (the agent-tokens docs
    // sample and go-tfe have none): four members missing.
    assert_eq!(found.len(), 4, "{found:?}");
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
fn a_short_organization_name_is_put_aside_only_where_it_stands_alone() {
    // An organization called `o`: its name must not be cut out of `errors` or `not found`.
    let op = "getOrganizationToken";
    let body = |org: &str| {
        format!(
            r#"{{"errors":[{{"status":"404","title":"not found","detail":"organization {org} not found","source":"/organizations/{org}"}}]}}"#
        )
    };
    let exists = Exchange::canned(
        op,
        "/api/v2/organizations/o/authentication-token",
        404,
        &body("o"),
    );
    let missing = Exchange::canned(
        op,
        "/api/v2/organizations/q/authentication-token",
        404,
        &body("q"),
    );
    assert!(authz::indistinguishable(&exists, &missing, "o", "q").is_empty());
    // And a body that does differ still differs.
    let other = Exchange::canned(
        op,
        "/api/v2/organizations/q/authentication-token",
        404,
        r#"{"errors":[{"status":"404","title":"forbidden"}]}"#,
    );
    assert_eq!(
        rules(&authz::indistinguishable(&exists, &other, "o", "q")),
        ["existence-leak"]
    );
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

#[test]
fn a_page_without_page_size_passes_but_a_wrong_one_fails() {
    // The agent-tokens docs sample: links and meta.pagination, no page-size.
    let path =
        "/api/v2/agent-pools/apool-1/authentication-tokens?page%5Bnumber%5D=1&page%5Bsize%5D=2";
    let meta = |size: &str| {
        format!(
            r#"{TWO_ITEMS},"meta":{{"pagination":{{"current-page":1,{size}"prev-page":null,
            "next-page":2,"total-pages":2,"total-count":3}}}}}}"#
        )
    };
    let without = Exchange::canned("listAgentTokens", path, 200, &meta(""));
    assert!(list::pagination(&without, &page_of_two()).is_empty());
    let wrong = Exchange::canned("listAgentTokens", path, 200, &meta(r#""page-size":20,"#));
    let found = list::pagination(&wrong, &page_of_two());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].pointer.as_deref(),
        Some("/meta/pagination/page-size")
    );
}

fn listing(ids: &[&str]) -> Exchange {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":"{id}","type":"authentication-tokens"}}"#))
        .collect();
    Exchange::canned(
        "listAgentTokens",
        "/api/v2/agent-pools/apool-1/authentication-tokens?sort=created-at",
        200,
        &format!(r#"{{"data":[{}]}}"#, items.join(",")),
    )
}

#[test]
fn an_order_by_creation_time_is_judged_with_ties_by_id_or_by_creation() {
    let t = |ms: i64| chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + ms).unwrap();
    // Created a, b, c at distinct times; others' tokens may come between.
    let made = [("at-a", t(1)), ("at-b", t(2)), ("at-c", t(3))];
    let ordered = |ids: &[&str], descending| {
        list::ordered_by_creation(&[listing(ids)], &made, descending, "test")
    };
    assert!(ordered(&["at-a", "x", "at-b", "at-c"], false).is_none());
    assert!(ordered(&["at-c", "at-b", "at-a"], true).is_none());
    // Sort ignored: the same order both ways.
    assert!(ordered(&["at-a", "at-b", "at-c"], true).is_some());
    assert!(ordered(&["at-c", "at-b", "at-a"], false).is_some());
    // Missing or listed twice.
    assert!(ordered(&["at-a", "at-b"], false).is_some());
    assert!(ordered(&["at-a", "at-b", "at-b", "at-c"], false).is_some());

    // Shown with the same created-at: by id (the docs), or in the order created (a server
    // that keeps finer times than it shows).
    let tied = [("at-z", t(5)), ("at-m", t(5)), ("at-a", t(5))];
    let tie = |ids: &[&str], descending| {
        list::ordered_by_creation(&[listing(ids)], &tied, descending, "test")
    };
    assert!(tie(&["at-a", "at-m", "at-z"], false).is_none(), "by id");
    assert!(
        tie(&["at-z", "at-m", "at-a"], false).is_none(),
        "as created"
    );
    assert!(
        tie(&["at-z", "at-m", "at-a"], true).is_none(),
        "by id, reversed"
    );
    assert!(
        tie(&["at-a", "at-m", "at-z"], true).is_none(),
        "as created, reversed"
    );
    let agreeing = [("at-a", t(5)), ("at-b", t(5))];
    let agree = |ids: &[&str], descending| {
        list::ordered_by_creation(&[listing(ids)], &agreeing, descending, "test")
    };
    assert!(agree(&["at-a", "at-b"], false).is_none());
    assert!(
        agree(&["at-b", "at-a"], false).is_some(),
        "neither by id nor as created"
    );
    assert!(agree(&["at-b", "at-a"], true).is_none());
}

fn token_with_expiry(expired_at: &str) -> Exchange {
    Exchange::canned(
        "getAuthenticationToken",
        "/api/v2/authentication-tokens/at-1",
        200,
        &format!(
            r#"{{"data":{{"id":"at-1","type":"authentication-tokens","attributes":{{"created-at":"2026-01-01T00:00:00Z","expired-at":"{expired_at}"}}}}}}"#
        ),
    )
}

#[test]
fn an_expiry_echoes_the_instant_sent_to_the_digits_shown() {
    let sent = "2027-03-01T12:00:00.123456+05:30";
    for echoed in [
        "2027-03-01T06:30:00.123456Z",
        "2027-03-01T06:30:00.123Z",
        "2027-03-01T06:30:00Z",
        "2027-03-01T06:30:00.123456+00:00",
    ] {
        assert_eq!(
            token::expiry_echoes(&token_with_expiry(echoed), sent),
            None,
            "{echoed}"
        );
    }
    // Rounded rather than cut is as good.
    let rounded = "2027-03-01T06:30:00.124Z";
    assert_eq!(
        token::expiry_echoes(&token_with_expiry(rounded), "2027-03-01T06:30:00.1236Z"),
        None
    );
    // The offset read as UTC, or another instant, is not.
    for wrong in ["2027-03-01T12:00:00.123Z", "2027-03-01T06:30:01Z"] {
        let found = token::expiry_echoes(&token_with_expiry(wrong), sent);
        assert_eq!(found.map(|f| f.rule), Some("expiry"), "{wrong}");
    }
}

#[test]
fn only_a_server_error_fails_where_the_docs_set_no_rule() {
    for status in [200, 201, 400, 404, 422] {
        let ex = Exchange::canned("listTeamTokens", "/api/v2/x", status, "{}");
        assert_eq!(http::not_server_error(&ex, "s"), None, "{status}");
    }
    let ex = Exchange::canned("listTeamTokens", "/api/v2/x", 500, "{}");
    assert_eq!(
        http::not_server_error(&ex, "s").map(|f| f.rule),
        Some("server-error")
    );
}

fn page(ids: &[&str]) -> Exchange {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":"{id}","type":"authentication-tokens"}}"#))
        .collect();
    Exchange::canned(
        "listTeamTokens",
        "/api/v2/x/team-tokens",
        200,
        &format!(r#"{{"data":[{}]}}"#, items.join(",")),
    )
}

#[test]
fn a_list_holds_exactly_the_live_tokens_once_across_its_pages() {
    let pages = [page(&["at-1", "at-2"]), page(&["at-3", "other"])];
    let ours = ["at-1", "at-2", "at-3", "at-4"];
    assert!(list::exactly_across(&pages, &["at-1", "at-2", "at-3"], &ours, 2, "s").is_empty());
    // A gone token listed, a live one missing, one listed twice, a page too big.
    let found = list::exactly_across(&pages, &["at-1", "at-4"], &ours, 2, "s");
    assert_eq!(rules(&found), ["list-items"]);
    assert!(
        found[0].actual.contains("at-4 missing"),
        "{}",
        found[0].actual
    );
    assert!(found[0].actual.contains("at-2 listed, though it is gone"));
    let twice = [page(&["at-1"]), page(&["at-1"])];
    let found = list::exactly_across(&twice, &["at-1"], &ours, 2, "s");
    assert!(found[0].actual.contains("at-1 listed 2 times"));
    let found = list::exactly_across(&pages, &["at-1", "at-2", "at-3"], &ours, 1, "s");
    assert_eq!(rules(&found), ["page-size", "page-size"]);
}

#[test]
fn an_id_handed_out_before_is_not_new() {
    let created = token_with_expiry("2027-01-01T00:00:00Z");
    assert_eq!(token::id_new(&created, &["at-2".to_string()]), None);
    assert_eq!(
        token::id_new(&created, &["at-1".to_string()]).map(|f| f.rule),
        Some("id-reused")
    );
}

#[test]
fn rotations_at_once_leave_exactly_one_secret() {
    let answer =
        |status| Exchange::canned("getOrganization", "/api/v2/organizations/o", status, "");
    let one = [answer(401), answer(200), answer(401)];
    assert!(http::one_authenticates(&one, &[200, 404], "src").is_none());
    let two = [answer(200), answer(401), answer(200)];
    let f = http::one_authenticates(&two, &[200, 404], "src").expect("two live");
    assert_eq!(f.rule, "one-secret");
    assert_eq!(f.actual, "2 authenticate");
    let none = [answer(401), answer(401)];
    assert_eq!(
        http::one_authenticates(&none, &[200, 404], "src").map(|f| f.actual),
        Some("0 authenticate".to_string())
    );
    let broken = [answer(401), answer(500)];
    assert_eq!(
        http::one_authenticates(&broken, &[200, 404], "src").map(|f| f.rule),
        Some("status")
    );
}

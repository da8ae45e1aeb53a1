//! Checks on list documents (reference §2): which items, in what order, without secrets, and
//! pagination metadata that agrees with the items.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Finding;
use crate::exchange::Exchange;

/// The ids of `data[]`, in order; `None` if the body is not a list document.
pub fn ids(ex: &Exchange) -> Option<Vec<String>> {
    let doc = ex.json()?;
    let items = doc.get("data")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
            .collect(),
    )
}

fn listed(ex: &Exchange) -> Result<Vec<String>, Box<Finding>> {
    match ex.response() {
        None => Err(Box::new(Finding::no_response(ex))),
        Some(_) => ids(ex).ok_or_else(|| {
            let f = Finding::new(
                "list",
                ex,
                "a list document (data: [...])",
                "something else",
            );
            Box::new(f.source("ref §2"))
        }),
    }
}

/// Every id in `expected` is listed.
pub fn contains(ex: &Exchange, expected: &[&str], source: &str) -> Option<Finding> {
    let ids = match listed(ex) {
        Ok(ids) => ids,
        Err(f) => return Some(*f),
    };
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|e| !ids.iter().any(|i| i == **e))
        .collect();
    (!missing.is_empty()).then(|| {
        Finding::new(
            "list-items",
            ex,
            format!("the list to include {expected:?}"),
            format!("{missing:?} missing from {ids:?}"),
        )
        .at("/data")
        .source(source)
    })
}

/// No id in `unexpected` is listed.
pub fn excludes(ex: &Exchange, unexpected: &[&str], source: &str) -> Option<Finding> {
    let ids = match listed(ex) {
        Ok(ids) => ids,
        Err(f) => return Some(*f),
    };
    let present: Vec<&String> = ids
        .iter()
        .filter(|i| unexpected.contains(&i.as_str()))
        .collect();
    (!present.is_empty()).then(|| {
        Finding::new(
            "list-items",
            ex,
            format!("the list not to include {unexpected:?}"),
            format!("{present:?} listed"),
        )
        .at("/data")
        .source(source)
    })
}

/// The ids of `expected` appear in exactly this relative order (others may come between).
pub fn ordered(ex: &Exchange, expected: &[&str], source: &str) -> Option<Finding> {
    let ids = match listed(ex) {
        Ok(ids) => ids,
        Err(f) => return Some(*f),
    };
    let seen: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|i| expected.contains(i))
        .collect();
    (seen != expected).then(|| {
        Finding::new(
            "list-order",
            ex,
            format!("{expected:?} in this order"),
            format!("{seen:?}"),
        )
        .at("/data")
        .source(source)
    })
}

/// Like `contains`, over the pages of one list.
pub fn contains_across(pages: &[Exchange], expected: &[&str], source: &str) -> Option<Finding> {
    let mut seen: Vec<String> = Vec::new();
    for page in pages {
        match listed(page) {
            Ok(ids) => seen.extend(ids),
            Err(f) => return Some(*f),
        }
    }
    let last = pages.last()?;
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|e| !seen.iter().any(|i| i == **e))
        .collect();
    (!missing.is_empty()).then(|| {
        Finding::new(
            "list-items",
            last,
            format!("the list to include {expected:?}"),
            format!("{missing:?} missing from {} listed", seen.len()),
        )
        .at("/data")
        .source(source)
    })
}

/// Across `pages` of one list, of the ids in `ours` exactly those in `expected` are listed,
/// each once; and no page holds more than `cap` items (the page size asked for, or the
/// documented default).
pub fn exactly_across(
    pages: &[Exchange],
    expected: &[&str],
    ours: &[&str],
    cap: usize,
    source: &str,
) -> Vec<Finding> {
    let mut seen: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for page in pages {
        match listed(page) {
            Ok(ids) => {
                if ids.len() > cap {
                    found.push(
                        Finding::new(
                            "page-size",
                            page,
                            format!("at most {cap} items on a page"),
                            format!("{} items", ids.len()),
                        )
                        .at("/data")
                        .source(source),
                    );
                }
                seen.extend(ids);
            }
            Err(f) => return vec![*f],
        }
    }
    let Some(last) = pages.last() else {
        return found;
    };
    let mut wrong = Vec::new();
    for id in expected {
        match seen.iter().filter(|s| s == id).count() {
            1 => {}
            0 => wrong.push(format!("{id} missing")),
            n => wrong.push(format!("{id} listed {n} times")),
        }
    }
    for id in ours.iter().filter(|id| !expected.contains(id)) {
        if seen.iter().any(|s| s == id) {
            wrong.push(format!("{id} listed, though it is gone"));
        }
    }
    if !wrong.is_empty() {
        found.push(
            Finding::new(
                "list-items",
                last,
                format!(
                    "exactly {expected:?}, once each, across {} page(s)",
                    pages.len()
                ),
                wrong.join("; "),
            )
            .at("/data")
            .source(source),
        );
    }
    found
}

/// Like `ordered`, over the pages of one list read one after the other.
pub fn ordered_across(pages: &[Exchange], expected: &[&str], source: &str) -> Option<Finding> {
    let mut seen = Vec::new();
    for page in pages {
        match listed(page) {
            Ok(ids) => seen.extend(ids.into_iter().filter(|i| expected.contains(&i.as_str()))),
            Err(f) => return Some(*f),
        }
    }
    let last = pages.last()?;
    (seen != expected).then(|| {
        Finding::new(
            "list-order",
            last,
            format!("{expected:?} in this order"),
            format!("{seen:?}"),
        )
        .at("/data")
        .source(source)
    })
}

/// The trial's own tokens (`made`, in the order they were created, each with the created-at
/// its create answer showed) appear across `pages` once each, by created-at (newest first when
/// `descending`), tokens of the same created-at by id in the same direction (agent-tokens
/// docs). Shown timestamps stop at the millisecond, or the second: two tokens shown with the
/// same created-at may still be apart for the server, so between those the order they were
/// created in passes too.
pub fn ordered_by_creation(
    pages: &[Exchange],
    made: &[(&str, DateTime<Utc>)],
    descending: bool,
    source: &str,
) -> Option<Finding> {
    let mut seen: Vec<String> = Vec::new();
    for page in pages {
        match listed(page) {
            Ok(ids) => seen.extend(ids.into_iter().filter(|i| made.iter().any(|m| m.0 == i))),
            Err(f) => return Some(*f),
        }
    }
    let last = pages.last()?;
    let mut wanted: Vec<(&str, DateTime<Utc>)> = made.to_vec();
    wanted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    if descending {
        wanted.reverse();
    }
    let direction = if descending {
        "newest first"
    } else {
        "oldest first"
    };
    let expected = format!(
        "{:?} in this order (by created-at, {direction}; ties by id, or in the order created)",
        wanted.iter().map(|w| w.0).collect::<Vec<_>>()
    );
    let finding = |actual: String| {
        Some(
            Finding::new("list-order", last, expected.clone(), actual)
                .at("/data")
                .source(source),
        )
    };
    let once = made
        .iter()
        .all(|m| seen.iter().filter(|s| *s == m.0).count() == 1);
    if !once {
        return finding(format!("{seen:?} (each of ours exactly once expected)"));
    }
    let at = |id: &str| made.iter().position(|m| m.0 == id).unwrap_or_default();
    let in_order = seen.windows(2).all(|pair| {
        let (a, b) = (at(&pair[0]), at(&pair[1]));
        let (ta, tb) = (made[a].1, made[b].1);
        let ascending = if ta != tb {
            ta < tb
        } else if (pair[0] < pair[1]) == (a < b) {
            // Id order and creation order agree: either passes.
            a < b
        } else {
            // They disagree: the tie may go either way.
            return true;
        };
        ascending != descending
    });
    if in_order {
        return None;
    }
    let shown: Vec<String> = seen
        .iter()
        .map(|id| {
            let t = made[at(id)].1;
            format!(
                "{id} ({})",
                t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            )
        })
        .collect();
    finding(format!("{shown:?}"))
}

/// Every item's `attributes.token` is null (or absent): lists never carry secrets.
pub fn secrets_hidden(ex: &Exchange) -> Vec<Finding> {
    let Some(doc) = ex.json() else {
        return Vec::new();
    };
    let Some(items) = doc.get("data").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let token = item.pointer("/attributes/token")?;
            (!token.is_null()).then_some((i, token))
        })
        .map(|(i, token)| {
            Finding::new(
                "secret",
                ex,
                "attributes.token null",
                super::token::hidden_value(token),
            )
            .at(format!("/data/{i}/attributes/token"))
            .source("docs: lists do not include secrets; ref §2")
        })
        .collect()
}

/// What one page should say about itself.
#[derive(Clone, Debug)]
pub struct Page {
    pub number: u64,
    pub size: u64,
    pub total_count: u64,
}

impl Page {
    fn total_pages(&self) -> u64 {
        self.total_count.div_ceil(self.size).max(1)
    }

    fn items(&self) -> u64 {
        let before = (self.number - 1) * self.size;
        self.total_count.saturating_sub(before).min(self.size)
    }
}

/// Whether the request asked for a page (`page[number]` or `page[size]`, escaped or not).
pub fn asked_for_page(ex: &Exchange) -> bool {
    let query = ex.request.path.split_once('?').map_or("", |(_, q)| q);
    query.split('&').any(|pair| {
        let key = pair.split('=').next().unwrap_or_default();
        let key = key.replace("%5B", "[").replace("%5b", "[");
        key.starts_with("page[")
    })
}

/// `meta.pagination` and any `links` agree with the page, and the page holds the right number
/// of items. What a client pages with is `meta.pagination` (go-tfe's and pytfe's list calls
/// read nothing else), so it must be there and right when the request asked for a page. The
/// team-token list samples of both docs generations carry neither `links` nor `meta`, and
/// HashiCorp's OpenAPI file requires neither (ref §2): a missing `links`, or a missing link in
/// it, is no failure, but a link that is there must say what `meta.pagination` says.
pub fn pagination(ex: &Exchange, page: &Page) -> Vec<Finding> {
    let source = "ref §2: meta.pagination, which go-tfe and pytfe page with, and any links \
                  agree with the items";
    let Some(doc) = ex.json() else {
        return vec![Finding::no_response(ex)];
    };
    let mut findings = Vec::new();
    let pagination = doc.pointer("/meta/pagination");
    let prev = (page.number > 1).then(|| page.number - 1);
    let next = (page.number < page.total_pages()).then(|| page.number + 1);
    if pagination.is_some() || asked_for_page(ex) {
        let int = |key: &str| pagination.and_then(|p| p.get(key)).and_then(Value::as_u64);
        let expectations: [(&str, Option<u64>); 6] = [
            ("current-page", Some(page.number)),
            ("page-size", Some(page.size)),
            ("total-count", Some(page.total_count)),
            ("total-pages", Some(page.total_pages())),
            ("prev-page", prev),
            ("next-page", next),
        ];
        for (key, expected) in expectations {
            let actual = pagination.and_then(|p| p.get(key));
            let matches = match (key, expected) {
                // The agent-tokens docs sample has no page-size, and go-tfe's Pagination has
                // no such member: absent is no failure (present, it must be right).
                ("page-size", _) if actual.is_none() => true,
                // No items: one empty page, or none at all (nothing says which).
                ("total-pages", Some(1)) if page.total_count == 0 => {
                    matches!(int(key), Some(0 | 1))
                }
                (_, Some(n)) => int(key) == Some(n),
                // No such page: null, or no member at all (a client reads either as none).
                (_, None) => actual.is_none_or(Value::is_null),
            };
            if !matches {
                findings.push(
                    Finding::new(
                        "pagination",
                        ex,
                        expected.map_or("null".to_string(), |n| n.to_string()),
                        actual.map_or("no such member".to_string(), Value::to_string),
                    )
                    .at(format!("/meta/pagination/{key}"))
                    .source(source),
                );
            }
        }
    }
    for (key, present) in [("prev", prev.is_some()), ("next", next.is_some())] {
        let Some(link) = doc.pointer(&format!("/links/{key}")) else {
            continue;
        };
        let ok = if present {
            link.as_str().is_some_and(|l| !l.is_empty())
        } else {
            link.is_null()
        };
        if !ok {
            findings.push(
                Finding::new(
                    "pagination",
                    ex,
                    if present {
                        "a link (there is such a page) or no such member"
                    } else {
                        "null (there is no such page) or no such member"
                    },
                    link.to_string(),
                )
                .at(format!("/links/{key}"))
                .source(source),
            );
        }
    }
    let count = doc.get("data").and_then(Value::as_array).map(Vec::len);
    if count != Some(page.items() as usize) {
        findings.push(
            Finding::new(
                "pagination",
                ex,
                format!("{} items on page {}", page.items(), page.number),
                count.map_or("no data array".to_string(), |c| c.to_string()),
            )
            .at("/data")
            .source(source),
        );
    }
    findings
}

//! JSON read within a memory budget: what tfe-contract keeps of a server's answer.
//!
//! A crate of its own so that it can be built optimized in the development profile (the
//! workspace's `Cargo.toml` says so): the parse is generic code of `serde_json`, instantiated
//! where it is called, and unoptimized it made the harness's own tests that feed it bodies near
//! the 4 MiB cap spend most of their time here. Nothing in it knows of the harness.

use std::fmt;

use serde_json::Value;

/// What of a response's JSON an exchange keeps, in units of a scalar's cost: a scalar counts
/// one, an array six, an object sixteen (a map's node costs about that many values, whatever
/// it holds). Parsed JSON costs up to sixteen times its text (a number of two bytes, `1,`, is a
/// 32-byte value; a small object, `{"a":1}`, some 600 bytes), and every recorded exchange keeps
/// its document while its trial runs: kept whole, a server answering with large documents of
/// small values would have a run hold gigabytes. A document of the contract is far smaller,
/// and must never be cut (a cut list would read as tokens missing from it): a page of 100
/// team tokens as the docs sample them, with `links` in each relationship and item, costs
/// about 17,500; the budget leaves room for nearly twice that (extra members are legal).
/// Memory grows with it: against `serve --big-bodies objects` the whole suite at 64 trial
/// threads peaked at 349 MB with half this budget and 1.06 GB with twice it.
pub const KEEP_VALUES: usize = 32 * 1024;

/// What an object costs of `KEEP_VALUES`.
const OBJECT_COST: usize = 16;

/// What an array costs: a value and the vector holding its items (at least four slots once it
/// holds one), about six scalars; deep nesting of small arrays costs that at every level.
const ARRAY_COST: usize = 6;

/// Strings longer than this are replaced by a note of their length: a string costs what its
/// text does, but every exchange keeps its document for the run's length.
pub const KEEP_STRING: usize = 16 * 1024;

/// `bytes` parsed as JSON, kept within `KEEP_VALUES` values and `KEEP_STRING` bytes a string,
/// and every value under a `token` member anywhere in it (strings as they are, numbers as
/// written, whatever an object or array there holds), kept or not: what a server may have
/// minted, to redact. The document is parsed in one pass that builds only what is kept (the
/// rest is read, checked as JSON and dropped), so that no whole tree of a large document ever
/// exists: in document order, arrays and objects keep the items that fit, a string too long
/// says how long it was, without its text (which may hold a secret too long to match once
/// cut). Any document of the contract is kept as it is. `None` if it is not JSON.
pub fn parse_bounded(bytes: &[u8]) -> Option<(Value, Vec<String>)> {
    use serde::de::DeserializeSeed;
    let budget = std::cell::Cell::new(KEEP_VALUES);
    let tokens = std::cell::RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = Bounded {
        budget: &budget,
        tokens: &tokens,
        under_token: false,
        // A `token` member's name is the five letters as they are, or written with `\u`
        // escapes (JSON has no other way to write a letter): without either in the text, no
        // value is under one, and what the budget no longer keeps need not be visited.
        tokens_possible: memchr::memmem::find(bytes, b"token").is_some()
            || memchr::memmem::find(bytes, b"\\u").is_some(),
    };
    let value = seed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some((value.unwrap_or(Value::Null), tokens.into_inner()))
}

/// One value of `parse_bounded`: `Some` if kept.
#[derive(Clone, Copy)]
struct Bounded<'a> {
    budget: &'a std::cell::Cell<usize>,
    tokens: &'a std::cell::RefCell<Vec<String>>,
    under_token: bool,
    /// Whether the document may hold a `token` member at all.
    tokens_possible: bool,
}

impl Bounded<'_> {
    /// Takes `cost` from the budget; false when it is spent.
    fn take(&self, cost: usize) -> bool {
        let left = self.budget.get();
        if left < cost {
            self.budget.set(0);
            return false;
        }
        self.budget.set(left - cost);
        true
    }

    fn scalar(
        self,
        value: impl FnOnce() -> Value,
        as_token: impl FnOnce() -> Option<String>,
    ) -> Option<Value> {
        if self.under_token
            && let Some(t) = as_token()
        {
            self.tokens.borrow_mut().push(t);
        }
        self.take(1).then(value)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Bounded<'_> {
    type Value = Option<Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Bounded<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(self.scalar(|| Value::Bool(v), || None))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(self.scalar(|| Value::from(v), || Some(v.to_string())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(self.scalar(|| Value::from(v), || Some(v.to_string())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Option<Value>, E> {
        let number = serde_json::Number::from_f64(v);
        Ok(self.scalar(
            || number.clone().map_or(Value::Null, Value::Number),
            || number.as_ref().map(ToString::to_string),
        ))
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(self.scalar(
            || {
                if v.len() > KEEP_STRING {
                    Value::String(format!("[a string of {} bytes, not kept]", v.len()))
                } else {
                    Value::String(v.to_string())
                }
            },
            || Some(v.to_string()),
        ))
    }

    fn visit_unit<E>(self) -> Result<Option<Value>, E> {
        Ok(self.scalar(|| Value::Null, || None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<Option<Value>, A::Error> {
        let kept = self.take(ARRAY_COST);
        if !kept && !self.tokens_possible {
            // Read and checked as JSON, nothing built (a million numbers cost that little).
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            return Ok(None);
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            if let Some(item) = item.filter(|_| kept) {
                items.push(item);
            }
        }
        Ok(kept.then_some(Value::Array(items)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> Result<Option<Value>, A::Error> {
        let kept = self.take(OBJECT_COST);
        if !kept && !self.tokens_possible {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(None);
        }
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let child = Bounded {
                under_token: self.under_token || key == "token",
                ..self
            };
            let value = map.next_value_seed(child)?;
            if let Some(value) = value.filter(|_| kept && key.len() <= KEEP_STRING) {
                members.insert(key.into_owned(), value);
            }
        }
        Ok(kept.then_some(Value::Object(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of `n` team tokens as the docs sample them, with links in each relationship and
    /// item (extra members a real server may send).
    fn page(n: usize) -> Value {
        let item = serde_json::json!({"id": "at-6yEmxNAhaoQLH1Da", "type": "authentication-tokens",
            "attributes": {"created-at": "2017-11-29T19:18:09.976Z", "last-used-at": null,
                "description": null, "token": null, "expired-at": "2023-04-06T12:00:00.000Z"},
            "relationships": {
                "team": {"data": {"id": "team-Y7RyjccPVBKVEdp7", "type": "teams"},
                    "links": {"related": "/api/v2/teams/team-Y7RyjccPVBKVEdp7"}},
                "created-by": {"data": {"id": "user-62goNpx1ThQf689e", "type": "users"},
                    "links": {"related": "/api/v2/users/user-62goNpx1ThQf689e"}}},
            "links": {"self": "/api/v2/authentication-tokens/at-6yEmxNAhaoQLH1Da"}});
        serde_json::json!({"data": vec![item; n],
            "links": {"self": "a", "first": "b", "prev": null, "next": "c", "last": "d"},
            "meta": {"pagination": {"current-page": 1, "page-size": n, "prev-page": null,
                "next-page": 2, "total-pages": 3, "total-count": 3 * n}}})
    }

    #[test]
    fn a_document_of_the_contract_is_kept_whole() {
        // The largest page a list gives (100), with room to spare: nothing is cut.
        let doc = page(150);
        let (kept, _) = parse_bounded(doc.to_string().as_bytes()).expect("JSON");
        assert_eq!(kept, doc);
    }

    #[test]
    fn a_large_document_is_cut_but_every_token_in_it_is_found() {
        let mut filler: Vec<Value> = vec![serde_json::json!({"a": 1}); 100_000];
        filler.push(serde_json::json!({"token": "late-secret"}));
        let doc = serde_json::json!({"meta": filler, "long": "x".repeat(KEEP_STRING + 1)});
        let (kept, tokens) = parse_bounded(doc.to_string().as_bytes()).expect("JSON");
        let kept_items = kept["meta"].as_array().map_or(0, Vec::len);
        assert!(kept_items < 100_000 / 2, "{kept_items} items kept");
        assert_eq!(tokens, ["late-secret"]);
        assert!(parse_bounded(b"{\"a\": [1, 2").is_none());
        let (kept, _) = parse_bounded(
            serde_json::json!({"long": "x".repeat(KEEP_STRING + 1)})
                .to_string()
                .as_bytes(),
        )
        .expect("JSON");
        assert!(
            kept["long"]
                .as_str()
                .is_some_and(|s| s.contains("not kept"))
        );
    }

    #[test]
    fn what_the_budget_no_longer_keeps_is_still_read_as_json_and_searched_for_tokens() {
        let numbers = |tail: &str| {
            let mut text = String::from("{\"data\": [");
            text.push_str(&"12345,".repeat(50_000));
            text.push_str(tail);
            text
        };
        // Without a token anywhere, the rest is only read: still JSON, or not.
        let (kept, tokens) = parse_bounded(numbers("1]}").as_bytes()).expect("JSON");
        assert!(kept["data"].as_array().is_some_and(|a| a.len() < 50_000));
        assert!(tokens.is_empty());
        assert!(parse_bounded(numbers("1,]}").as_bytes()).is_none());
        assert!(parse_bounded(numbers("1] x").as_bytes()).is_none());
        // A member named with escapes is still a token member, however late it comes.
        let text = numbers(r#"{"\u0074oken": "escaped-secret"}], "b": {"token": 7}}"#);
        let (_, tokens) = parse_bounded(text.as_bytes()).expect("JSON");
        assert_eq!(tokens, ["escaped-secret", "7"]);
    }
}

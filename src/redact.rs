//! Redaction: the one place that decides what output may show. Every token value the run is
//! given or sees minted is registered here and replaced by a placeholder wherever text leaves
//! the process (trial messages, panic messages, reports, snapshots, logs). Snapshots also need
//! volatile values (ids, timestamps, generated names) made stable; `Normalizer` does that on top
//! of the same secret redaction.

use std::{
    collections::{HashMap, HashSet},
    fmt,
    sync::{Arc, LazyLock, RwLock},
};

use aho_corasick::{AhoCorasick, MatchKind};

use serde_json::Value;

/// What a secret is replaced by.
pub const SECRET: &str = "[secret]";

/// Secrets shorter than this are redacted only where they stand on their own (not inside a
/// longer run of letters, digits, `-`, `_` or `.`): replacing every occurrence of a short value
/// would garble all output. Real tokens are 90 characters.
const SHORT: usize = 8;

/// Every value to redact, and the forms it may be written in (`variants`). Most sit in an
/// automaton that finds them all in one pass over a text, ignoring ASCII case; the newest wait
/// in `recent`, checked one by one, until a redaction finds enough of them there to be worth
/// rebuilding the automaton. Redaction so stays linear in the text, and rebuilds rare (none in a
/// run that renders nothing), however many tokens a run mints. Short secrets (`SHORT`) are kept
/// apart and matched only at token boundaries.
#[derive(Default)]
struct Registry {
    /// Each secret with its variants (lower-cased).
    secrets: HashMap<Box<str>, Vec<Box<str>>>,
    /// Every pattern still to redact, lower-cased: the secrets of `SHORT` length or more and
    /// their variants.
    patterns: HashSet<Box<str>>,
    /// The automaton. A pattern forgotten since it was built (its id in `dead`) is skipped
    /// when it matches, so forgetting costs no rebuild.
    settled: Option<Arc<AhoCorasick>>,
    /// The automaton's pattern ids, by pattern.
    index: HashMap<Box<str>, usize>,
    dead: Arc<HashSet<usize>>,
    /// Patterns registered since the automaton was built.
    recent: Vec<Arc<str>>,
    /// Patterns of the automaton that were forgotten since it was built.
    forgotten: usize,
    /// Short secrets, lower-cased.
    short: HashSet<Box<str>>,
    /// Secrets registered whose forms are not worked out yet: that waits for the next
    /// redaction, so that a run that renders nothing pays nothing for it.
    pending: Vec<Box<str>>,
}

/// How many patterns may wait outside the automaton (about a hundred secrets).
const RECENT_MAX: usize = 384;

impl Registry {
    /// Rebuilds the automaton when enough patterns wait outside it, or when most of it is
    /// forgotten.
    fn settle_if_due(&mut self) {
        let built = self.index.len();
        if self.recent.len() <= RECENT_MAX && self.forgotten * 2 <= built.max(RECENT_MAX) {
            return;
        }
        self.recent.clear();
        self.forgotten = 0;
        self.dead = Arc::default();
        let list: Vec<Box<str>> = self.patterns.iter().cloned().collect();
        self.settled = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(list.iter().map(|s| s.as_bytes()))
            .ok()
            .filter(|_| !list.is_empty())
            .map(Arc::new);
        self.index = list.into_iter().enumerate().map(|(i, p)| (p, i)).collect();
    }

    fn add(&mut self, secret: &str) {
        if secret.is_empty() || self.secrets.contains_key(secret) {
            return;
        }
        if secret.len() < SHORT {
            self.short.insert(secret.to_ascii_lowercase().into());
            self.secrets.insert(secret.into(), Vec::new());
            return;
        }
        self.secrets.insert(secret.into(), Vec::new());
        self.pending.push(secret.into());
    }

    /// Works out the forms of the secrets registered since the last redaction.
    fn expand_pending(&mut self) {
        for secret in std::mem::take(&mut self.pending) {
            let Some(slot) = self.secrets.get_mut(&secret) else {
                continue;
            };
            let forms = variants(&secret);
            for form in &forms {
                if self.patterns.insert(form.clone()) {
                    self.recent.push(form.as_ref().into());
                }
            }
            *slot = forms;
        }
    }

    fn remove(&mut self, secret: &str) {
        let Some(forms) = self.secrets.remove(secret) else {
            return;
        };
        self.short.remove(secret.to_ascii_lowercase().as_str());
        for form in forms {
            self.patterns.remove(&form);
            if let Some(&id) = self.index.get(&form) {
                Arc::make_mut(&mut self.dead).insert(id);
                self.forgotten += 1;
            }
        }
    }
}

/// The forms a secret is written in where it could leak, besides itself in any ASCII case
/// (the matcher ignores case): its JSON string escaping and every character `\u`-escaped,
/// percent-encoded (sparing unreserved punctuation or not), and base64 (standard and URL-safe; without padding, which also finds the
/// padded form, padding aside). Forms that equal another, case aside, are kept once: for the
/// usual secret of letters, digits and dots that is four patterns.
fn variants(secret: &str) -> Vec<Box<str>> {
    use base64::Engine;
    let mut forms: Vec<String> = vec![secret.to_string()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    forms.push(json.trim_matches('"').to_string());
    forms.push(
        secret
            .encode_utf16()
            .map(|u| format!("\\u{u:04x}"))
            .collect(),
    );
    forms.push(crate::segment::encode_segment(secret));
    // Percent-encoded without sparing the unreserved punctuation (`.` as `%2E`), as some do.
    forms.push(
        secret
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect(),
    );
    forms.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret));
    forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
    let mut seen = HashSet::new();
    forms
        .into_iter()
        .map(|f| f.to_ascii_lowercase())
        .filter(|f| !f.is_empty() && seen.insert(f.clone()))
        .map(String::into_boxed_str)
        .collect()
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(RwLock::default);

/// A token value. It cannot be printed: `Debug` and `Display` show the placeholder, and creating
/// one registers the value for redaction everywhere.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value: String = value.into();
        register(&value);
        Self(value.into())
    }

    /// The value itself, for the `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SECRET)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SECRET)
    }
}

/// Registers a value to be redacted from all output from now on, in every form it may be
/// written in.
pub fn register(secret: &str) {
    REGISTRY
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .add(secret);
}

/// Stops redacting `secrets`: a finished run retires what its server minted. Should one of
/// them show up again it is registered anew, since every response body is scanned
/// (`register_minted`) before anything is rendered from it.
pub fn forget(secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    for secret in secrets {
        registry.remove(secret);
    }
    // A forgotten pattern still in the automaton is skipped when it matches; the automaton is
    // rebuilt once most of it is forgotten.
    let Registry {
        patterns,
        recent,
        pending,
        secrets,
        ..
    } = &mut *registry;
    recent.retain(|r| patterns.contains(&**r));
    pending.retain(|p| secrets.contains_key(p));
}

/// Registers what a server minted, found in a response body: every string under a `token` key
/// of a JSON document, and anything shaped like a TFE secret (`<14>.atlasv1.<67>`), so that a
/// secret is caught even in a body that is not valid JSON. `parsed` gives the body as JSON
/// (a caller that already has it parsed passes that). Returns what it found.
pub fn register_minted<'a>(body: &[u8], parsed: impl FnOnce() -> Option<&'a Value>) -> Vec<String> {
    let mut found = Vec::new();
    // Any JSON body is walked, not only one whose bytes say `"token"`: a key may be written
    // with escapes (`"\u0074oken"`) that only a parser sees through.
    if body
        .first()
        .is_some_and(|b| matches!(b, b'{' | b'[' | b' ' | b'\n' | b'\r' | b'\t'))
        && let Some(value) = parsed()
    {
        collect_token_fields(value, &mut found);
    }
    if memchr::memmem::find(body, b".atlasv1.").is_none() {
        found.retain(|s| !s.is_empty());
        for secret in &found {
            register(secret);
        }
        return found;
    }
    let text = String::from_utf8_lossy(body);
    let mut rest: &str = &text;
    while let Some(at) = rest.find(".atlasv1.") {
        let start = rest[..at]
            .rfind(|c: char| !is_token_char(c))
            .map_or(0, |i| i + 1);
        let end_rel = rest[at + 9..]
            .find(|c: char| !is_token_char(c))
            .unwrap_or(rest.len() - at - 9);
        let candidate = &rest[start..at + 9 + end_rel];
        found.push(candidate.to_string());
        rest = &rest[at + 9 + end_rel..];
    }
    found.retain(|s| !s.is_empty());
    for secret in &found {
        register(secret);
    }
    found
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Every value under a `token` key: a string as it is, a number as written, and whatever an
/// object or array under it holds (a server may wrap its secret).
fn collect_token_fields(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "token" {
                    collect_all(child, found);
                } else {
                    collect_token_fields(child, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_token_fields(v, found)),
        _ => {}
    }
}

fn collect_all(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(s) => found.push(s.clone()),
        Value::Number(n) => found.push(n.to_string()),
        Value::Object(map) => map.values().for_each(|v| collect_all(v, found)),
        Value::Array(items) => items.iter().for_each(|v| collect_all(v, found)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// `text` with every registered secret replaced. Matches of both tiers are found on the
/// original text and overlapping ones merged, so that no part of a secret survives because
/// another secret overlapping it was replaced first.
pub fn text(text: &str) -> String {
    let (settled, recent, short, forgotten) = {
        let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
        // Registering only appends; the automaton is rebuilt here, when redaction is needed
        // and enough secrets have piled up outside it.
        registry.expand_pending();
        registry.settle_if_due();
        let short: Vec<Box<str>> = registry.short.iter().cloned().collect();
        (
            registry.settled.clone(),
            registry.recent.clone(),
            short,
            registry.dead.clone(),
        )
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    if let Some(matcher) = settled {
        spans.extend(
            matcher
                .find_overlapping_iter(text)
                .filter(|m| !forgotten.contains(&m.pattern().as_usize()))
                .map(|m| (m.start(), m.end())),
        );
    }
    if !recent.is_empty() || !short.is_empty() {
        // ASCII lower-casing keeps every byte where it is, so positions carry over.
        let lower = text.to_ascii_lowercase();
        for secret in &recent {
            spans.extend(
                lower
                    .match_indices(&**secret)
                    .map(|(i, s)| (i, i + s.len())),
            );
        }
        let word = |c: Option<char>| {
            c.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        for secret in &short {
            for (i, m) in lower.match_indices(&**secret) {
                let end = i + m.len();
                if !word(lower[..i].chars().next_back()) && !word(lower[end..].chars().next()) {
                    spans.push((i, end));
                }
            }
        }
    }
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut current: Option<(usize, usize)> = None;
    for (start, end) in spans {
        match current {
            Some((s, e)) if start <= e => current = Some((s, e.max(end))),
            _ => {
                if let Some((s, e)) = current {
                    out.push_str(&text[copied..s]);
                    out.push_str(SECRET);
                    copied = e;
                }
                current = Some((start, end));
            }
        }
    }
    if let Some((s, e)) = current {
        out.push_str(&text[copied..s]);
        out.push_str(SECRET);
        copied = e;
    }
    out.push_str(&text[copied..]);
    out
}

/// A JSON value with secrets replaced: `token` fields holding a string become the placeholder
/// whatever their value, and registered secrets are replaced inside every other string.
pub fn json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("token", Value::String(_)) => Value::String(SECRET.into()),
                        _ => json(v),
                    };
                    (text(k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        Value::String(s) => Value::String(text(s)),
        other => other.clone(),
    }
}

/// A header value fit to show: credentials are never shown, whatever they hold.
pub fn header(name: &str, value: &[u8]) -> String {
    if name.eq_ignore_ascii_case("authorization") {
        let shown = String::from_utf8_lossy(value);
        return match shown.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {SECRET}"),
            None => SECRET.to_string(),
        };
    }
    text(&String::from_utf8_lossy(value))
}

/// A short, redacted excerpt of a body for a failure message. A body that is not JSON (cut
/// short, say) may still hold a `"token": "..."` member whose value was cut before it could be
/// recognized as a secret: such values are masked as well.
pub fn excerpt(body: &[u8], limit: usize) -> String {
    let shown = match serde_json::from_slice::<Value>(body) {
        Ok(value) => json(&value).to_string(),
        Err(_) => mask_token_members(&text(&String::from_utf8_lossy(body))),
    };
    let shown: String = shown.chars().filter(|c| !c.is_control()).collect();
    if shown.chars().count() <= limit {
        shown
    } else {
        let cut: String = shown.chars().take(limit).collect();
        format!("{cut}... ({} bytes in all)", body.len())
    }
}

/// Replaces the value of every `"token": "..."` in a text that is not valid JSON, up to its
/// closing quote or the end of the text.
fn mask_token_members(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\"token\"") {
        let after_key = &rest[at + 7..];
        let trimmed = after_key.trim_start();
        let Some(value) = trimmed.strip_prefix(':').map(str::trim_start) else {
            out.push_str(&rest[..at + 7]);
            rest = after_key;
            continue;
        };
        let Some(inner) = value.strip_prefix('"') else {
            out.push_str(&rest[..at + 7]);
            rest = after_key;
            continue;
        };
        let head_len = rest.len() - inner.len();
        out.push_str(&rest[..head_len]);
        match inner.find('"') {
            Some(end) => {
                out.push_str(SECRET);
                rest = &inner[end..];
            }
            None => {
                out.push_str(SECRET);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Makes documents from different servers, or from fresh instances of one server, comparable:
/// ids, secrets, timestamps and names the harness generated become numbered placeholders, in
/// order of first appearance, so that "the same id again" survives normalization. What is part
/// of the contract (keys, types, nullability, enum values, statuses) is kept.
#[derive(Debug, Default)]
pub struct Normalizer {
    ids: HashMap<String, String>,
    names: HashMap<String, String>,
    fixed: Vec<(String, String)>,
}

impl Normalizer {
    /// `organization` is replaced by `[organization]`; each of `generated` (names the harness
    /// made up for this run) by `[name:N]`.
    pub fn new(organization: &str, generated: &[String]) -> Self {
        let mut n = Self::default();
        n.fixed
            .push((organization.to_string(), "[organization]".into()));
        for name in generated {
            n.name(name);
        }
        n
    }

    fn name(&mut self, name: &str) -> String {
        let next = self.names.len() + 1;
        self.names
            .entry(name.to_string())
            .or_insert_with(|| format!("[name:{next}]"))
            .clone()
    }

    fn id(&mut self, id: &str) -> String {
        let next = self.ids.len() + 1;
        self.ids
            .entry(id.to_string())
            .or_insert_with(|| format!("[id:{next}]"))
            .clone()
    }

    /// Whether `id` appeared in anything normalized so far.
    pub fn knows(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// The order in which `id` first appeared.
    pub fn seen_at(&self, id: &str) -> Option<usize> {
        let placeholder = self.ids.get(id)?;
        placeholder
            .trim_start_matches("[id:")
            .trim_end_matches(']')
            .parse()
            .ok()
    }

    /// A path or free string: known ids, names and the organization replaced, and the scheme,
    /// host and port of an absolute URL (they differ from server to server).
    pub fn string(&self, s: &str) -> String {
        let mut out = text(s);
        for scheme in ["http://", "https://"] {
            if let Some(rest) = out.strip_prefix(scheme) {
                let path = rest.find('/').map_or("", |i| &rest[i..]);
                out = format!("[origin]{path}");
                break;
            }
        }
        if let Some(p) = self.ids.get(&out).or_else(|| self.names.get(&out)) {
            return p.clone();
        }
        let mut known: Vec<(&String, &String)> = self
            .ids
            .iter()
            .chain(self.names.iter())
            .chain(self.fixed.iter().map(|(a, b)| (a, b)))
            .collect();
        known.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (value, placeholder) in known {
            if value.len() >= 3 && out.contains(value.as_str()) {
                out = replace_whole(&out, value, placeholder);
            }
        }
        out
    }

    /// Normalizes a JSON document. Ids are collected in a first pass so that a link naming an
    /// id before the `id` member itself (keys are sorted) still gets the same placeholder.
    pub fn value(&mut self, value: &Value) -> Value {
        self.collect_ids(value);
        self.rewrite(value, None)
    }

    fn collect_ids(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("id") {
                    self.id(id);
                }
                map.values().for_each(|v| self.collect_ids(v));
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect_ids(v)),
            _ => {}
        }
    }

    fn rewrite(&mut self, value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.rewrite(v, Some(k))))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.rewrite(v, key)).collect())
            }
            Value::String(s) => Value::String(match key {
                Some("token") => SECRET.to_string(),
                Some("id") => self.id(s),
                // Free text the contract leaves to the server.
                Some("title" | "detail") => "[text]".to_string(),
                _ if is_timestamp(s) => "[timestamp]".to_string(),
                _ => self.string(s),
            }),
            other => other.clone(),
        }
    }
}

/// `text` with every occurrence of `value` that stands on its own (not inside a longer run of
/// letters and digits) replaced: an id `100` is replaced in `/tokens/100` but not in
/// `page[size]=1000` or `at-1005`.
fn replace_whole(text: &str, value: &str, with: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(value) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + value.len()..].chars().next();
        let starts_word = word(value.chars().next()) && word(before);
        let ends_word = word(value.chars().next_back()) && word(after);
        out.push_str(&rest[..at]);
        if starts_word || ends_word {
            out.push_str(value);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + value.len()..];
    }
    out.push_str(rest);
    out
}

fn is_timestamp(s: &str) -> bool {
    s.len() >= 19
        && s.as_bytes().get(4) == Some(&b'-')
        && s.as_bytes()
            .get(10)
            .is_some_and(|b| *b == b'T' || *b == b't')
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_replaced_everywhere() {
        let s = Secret::new("abcdefghijklmn.atlasv1.redact-unit-test-secret");
        assert_eq!(format!("{s} {s:?}"), "[secret] [secret]");
        assert_eq!(text(&format!("x {} y", s.expose())), "x [secret] y");
        assert_eq!(
            json(&json!({"a": [format!("Bearer {}", s.expose())], "token": "anything"})),
            json!({"a": ["Bearer [secret]"], "token": "[secret]"})
        );
        assert_eq!(
            header("Authorization", b"Bearer whatever"),
            "Bearer [secret]"
        );
    }

    #[test]
    fn every_usual_encoding_of_a_secret_is_replaced() {
        use base64::Engine;
        let value = "EncodedSecret14.atlasv1.redact-encodings-unit-test-secret+/=";
        Secret::new(value);
        let b64 = base64::engine::general_purpose::STANDARD.encode(value);
        let url_b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value);
        let escaped: String = value
            .encode_utf16()
            .map(|u| format!("\\u{u:04x}"))
            .collect();
        for form in [
            value.to_string(),
            value.to_ascii_uppercase(),
            value.to_ascii_lowercase(),
            b64.clone(),
            b64.to_ascii_lowercase(),
            url_b64,
            escaped,
            crate::segment::encode_segment(value),
        ] {
            let shown = text(&format!("echo: {form}!"));
            assert_eq!(shown, "echo: [secret]!", "{form}");
        }
    }

    #[test]
    fn short_secrets_are_replaced_where_they_stand_alone() {
        Secret::new("Ab3$");
        assert_eq!(text("token Ab3$ here"), "token [secret] here");
        assert_eq!(text("(ab3$)"), "([secret])");
        // Inside a longer word it is left alone, so output stays readable.
        assert_eq!(text("xAb3$y"), "xAb3$y");
    }

    #[test]
    fn a_secret_under_an_escaped_key_or_of_another_type_is_found() {
        let body = br#"{"data":{"attributes":{"\u0074oken":"EscapedKeySecret.xyz123"}}}"#;
        let parsed: Value = serde_json::from_slice(body).unwrap();
        let found = super::register_minted(body, || Some(&parsed));
        assert_eq!(found, ["EscapedKeySecret.xyz123"]);
        assert_eq!(text("EscapedKeySecret.xyz123"), "[secret]");
        let body = br#"{"token": 918273645546372819}"#;
        let parsed: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            super::register_minted(body, || Some(&parsed)),
            ["918273645546372819"]
        );
        let body = br#"{"token": {"value": "WrappedSecretValue99"}}"#;
        let parsed: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            super::register_minted(body, || Some(&parsed)),
            ["WrappedSecretValue99"]
        );
    }

    fn register_minted(body: &[u8]) -> Vec<String> {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        super::register_minted(body, || parsed.as_ref())
    }

    #[test]
    fn minted_secrets_are_found_in_json_and_in_garbage() {
        register_minted(br#"{"data":{"attributes":{"token":"minted-unit-test-1"}}}"#);
        assert_eq!(text("minted-unit-test-1"), SECRET);
        register_minted(b"<html>oops Zx9Zx9Zx9Zx9Zx.atlasv1.QQQQ-unit</html>");
        assert_eq!(text("a Zx9Zx9Zx9Zx9Zx.atlasv1.QQQQ-unit b"), "a [secret] b");
        // A short one is replaced only where it stands alone.
        register_minted(br#"{"token":"q7"}"#);
        assert_eq!(text("q7"), SECRET);
        assert_eq!(text("aq7b"), "aq7b");
        let found = register_minted(br#"{"token":"forget-unit-test-secret"}"#);
        assert_eq!(text("forget-unit-test-secret"), SECRET);
        forget(&found);
        assert_eq!(text("forget-unit-test-secret"), "forget-unit-test-secret");
    }

    #[test]
    fn overlapping_secrets_are_replaced_whole() {
        register("overlap-unit-secret");
        register("overlap-unit-secret-longer");
        assert_eq!(text("x overlap-unit-secret-longer y"), "x [secret] y");
        // Across the two tiers: push enough secrets to settle the first ones.
        register("tier-unit-secret");
        for i in 0..=RECENT_MAX {
            register(&format!("tier-filler-secret-{i:04}"));
        }
        register("xx-tier-unit-secret-yy");
        assert_eq!(text("a xx-tier-unit-secret-yy b"), "a [secret] b");
        assert_eq!(text("tier-unit-secret-yy"), "[secret]-yy");
    }

    #[test]
    fn a_forgotten_secret_is_shown_again_without_a_rebuild() {
        register("settled-then-forgotten-secret");
        for i in 0..=RECENT_MAX {
            register(&format!("forget-filler-secret-{i:04}"));
        }
        assert_eq!(text("settled-then-forgotten-secret"), SECRET);
        forget(&["settled-then-forgotten-secret".to_string()]);
        assert_eq!(
            text("settled-then-forgotten-secret"),
            "settled-then-forgotten-secret"
        );
        assert_eq!(text("forget-filler-secret-0001"), SECRET);
    }

    #[test]
    fn normalizer_keeps_identity_and_shape() {
        let mut n = Normalizer::new("acme", &["tfe-contract-x1".into()]);
        let doc = json!({"data": {"id": "at-1", "type": "authentication-tokens",
            "attributes": {"created-at": "2024-01-01T00:00:00.000Z", "last-used-at": null,
                "token": "s3cr3t-value", "description": "tfe-contract-x1"},
            "links": {"self": "/api/v2/authentication-tokens/at-1"}},
            "errors": [{"status": "404", "title": "not found"}]});
        let out = n.value(&doc);
        assert_eq!(
            out,
            json!({"data": {"id": "[id:1]", "type": "authentication-tokens",
                "attributes": {"created-at": "[timestamp]", "last-used-at": null,
                    "token": "[secret]", "description": "[name:1]"},
                "links": {"self": "/api/v2/authentication-tokens/[id:1]"}},
                "errors": [{"status": "404", "title": "[text]"}]})
        );
        assert_eq!(
            n.string("/api/v2/organizations/acme"),
            "/api/v2/organizations/[organization]"
        );
        let again = n.value(&json!({"id": "at-2"}));
        assert_eq!(again, json!({"id": "[id:2]"}));
    }

    #[test]
    fn token_members_are_masked_in_broken_json() {
        let cut = br#"{"data":{"attributes":{"token":"AbCdEfGhIj"#;
        assert_eq!(
            excerpt(cut, 200),
            r#"{"data":{"attributes":{"token":"[secret]"#
        );
        let whole = br#"{"token" : "abc", "x": "token"} trailing"#;
        assert_eq!(
            excerpt(whole, 200),
            r#"{"token" : "[secret]", "x": "token"} trailing"#
        );
    }

    #[test]
    fn excerpt_is_short_and_redacted() {
        register("excerpt-unit-secret");
        let e = excerpt(
            b"<html>excerpt-unit-secret and a lot more text here</html>",
            20,
        );
        assert!(e.starts_with("<html>[secret] and a"), "{e}");
        assert!(e.contains("bytes in all"));
    }
}

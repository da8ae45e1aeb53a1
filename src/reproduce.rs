//! Reproductions: recorded exchanges as the shell command lines (`curl`, one a request) that
//! send them again. The caller's token is `$TFE_TOKEN`; every id or secret an earlier answer
//! handed out is a shell variable that the earlier line sets from that answer (with `jq`), so
//! that no secret's value is ever printed and the lines work against a server that mints new
//! ids and secrets. A value used that no request shown handed out is looked for among the
//! exchanges before them, and the one that handed it out is sent first.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
};

use crate::{exchange::Exchange, redact};

/// The variable the caller's token is read from, as every tool of TFE's reads it.
pub const TOKEN_VARIABLE: &str = "TFE_TOKEN";

/// The variable the address is read from (the run's own address when it is unset).
pub const ADDRESS_VARIABLE: &str = "TFE_ADDRESS";

/// How many exchanges before the requests shown a reproduction may add, at most.
const MOST_ADDED: usize = 16;

/// Values shorter than this are never taken for an id or a secret handed out.
const SHORTEST_VALUE: usize = 3;

/// Headers a reproduction leaves out: curl sets them itself, or they say nothing of the
/// request (`authorization` is written with its variable).
const LEFT_OUT: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "accept-encoding",
    "user-agent",
    "authorization",
];

/// The command lines that send `chain` again in order, the last one showing its answer
/// (status line, headers and body), each earlier one its status or the values later lines
/// need. `earlier` are exchanges made before them that may have handed out what they use
/// (the trial's earlier requests, the probe). `origin` is the target's scheme, host and port;
/// `caller` the token the run was given. Redacted, as everything that leaves.
pub fn commands(
    chain: &[&Exchange],
    earlier: &[&Exchange],
    origin: &str,
    caller: &str,
) -> Vec<String> {
    commands_with(&mut Handouts::default(), chain, earlier, origin, caller)
}

/// What each exchange's answer handed out, read once per exchange: a run's findings are
/// reproduced from the same journals again and again, and an exploring trial's journal holds
/// thousands of answers (reading them anew for every value looked for made one faulty run's
/// reproductions take minutes).
#[derive(Default)]
pub struct Handouts {
    read: HashMap<u64, Arc<[Handed]>>,
}

impl Handouts {
    fn of(&mut self, ex: &Exchange) -> Arc<[Handed]> {
        self.read
            .entry(ex.id)
            .or_insert_with(|| handed_out(ex).into())
            .clone()
    }
}

/// `commands`, reading answers through `handouts`.
pub fn commands_with(
    handouts: &mut Handouts,
    chain: &[&Exchange],
    earlier: &[&Exchange],
    origin: &str,
    caller: &str,
) -> Vec<String> {
    let chain: Vec<&Exchange> = chain.iter().copied().filter(|ex| sent(ex)).collect();
    if chain.is_empty() {
        return Vec::new();
    }
    let steps = with_sources(handouts, &chain, earlier, caller);
    let used: Vec<Vec<String>> = steps.iter().map(|ex| used_values(ex, caller)).collect();
    // How many of the steps after the current one use each value.
    let mut used_later: HashMap<&str, usize> = HashMap::new();
    for value in used.iter().flatten() {
        *used_later.entry(value.as_str()).or_default() += 1;
    }
    let mut names = Names::default();
    // Where each value is first handed out: (step, jq path, variable).
    let mut handed: HashMap<String, String> = HashMap::new();
    let last = steps.len() - 1;
    let mut lines = Vec::with_capacity(steps.len());
    for (i, ex) in steps.iter().enumerate() {
        for value in &used[i] {
            if let Some(n) = used_later.get_mut(value.as_str()) {
                *n -= 1;
            }
        }
        let request = request_words(ex, &handed, origin, caller);
        let later = |v: &str| used_later.get(v).is_some_and(|n| *n > 0) && !handed.contains_key(v);
        let captures: Vec<(String, String, String)> = handouts
            .of(ex)
            .iter()
            .filter(|h| later(&h.value))
            .fold(Vec::new(), |mut kept, h| {
                if !kept.iter().any(|(v, _, _)| *v == h.value) {
                    let name = names.next(h);
                    kept.push((h.value.clone(), h.jq.clone(), name));
                }
                kept
            });
        let line = if i == last {
            format!("curl -sS -i {request}")
        } else if captures.is_empty() {
            format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' {request}")
        } else {
            let answer = format!("ANSWER_{}", i + 1);
            let mut line = format!("{answer}=$(curl -sS {request})");
            for (_, jq, name) in &captures {
                line.push_str(&format!(
                    " && {name}=$(printf '%s' \"${answer}\" | jq -r {})",
                    single_quoted(jq)
                ));
            }
            line
        };
        for (value, _, name) in captures {
            handed.insert(value, name);
        }
        lines.push(redact::text(&line));
    }
    lines
}

/// Whether the exchange was sent at all (the guard refuses some; the client could not form
/// others).
fn sent(ex: &Exchange) -> bool {
    !ex.request.path.is_empty()
        && !matches!(&ex.outcome, Err(e) if e.kind == crate::exchange::TransportErrorKind::Refused)
}

/// `chain`, preceded by the exchanges of `earlier` that handed out the values it uses and
/// no step before their use hands out (and, in turn, theirs), in the order they were made.
fn with_sources<'a>(
    handouts: &mut Handouts,
    chain: &[&'a Exchange],
    earlier: &[&'a Exchange],
    caller: &str,
) -> Vec<&'a Exchange> {
    let in_chain: BTreeSet<u64> = chain.iter().map(|ex| ex.id).collect();
    let mut wanted: Vec<String> = Vec::new();
    let mut handed_before: HashSet<String> = HashSet::new();
    for ex in chain {
        for value in used_values(ex, caller) {
            if !handed_before.contains(&value) {
                wanted.push(value);
            }
        }
        handed_before.extend(handouts.of(ex).iter().map(|h| h.value.clone()));
    }
    if wanted.is_empty() {
        return chain.to_vec();
    }
    // The first exchange of `earlier` that handed out each value.
    let mut first_source: HashMap<String, &'a Exchange> = HashMap::new();
    for ex in earlier
        .iter()
        .copied()
        .filter(|ex| sent(ex) && !in_chain.contains(&ex.id))
    {
        for h in handouts.of(ex).iter() {
            first_source
                .entry(h.value.clone())
                .and_modify(|kept| {
                    if ex.id < kept.id {
                        *kept = ex;
                    }
                })
                .or_insert(ex);
        }
    }
    let mut added: Vec<&Exchange> = Vec::new();
    let mut handed_by_added: HashSet<String> = HashSet::new();
    while let Some(value) = wanted.pop() {
        if added.len() >= MOST_ADDED {
            break;
        }
        if handed_by_added.contains(&value) {
            continue;
        }
        if let Some(source) = first_source.get(&value).copied() {
            added.push(source);
            // What the source used, its answer only echoes (a team's token names its team):
            // the request that handed that out first must come along too.
            let uses = used_values(source, caller);
            handed_by_added.extend(
                handouts
                    .of(source)
                    .iter()
                    .map(|h| h.value.clone())
                    .filter(|v| !uses.contains(v)),
            );
            wanted.extend(uses);
        }
    }
    added.sort_by_key(|ex| ex.id);
    added.dedup_by_key(|ex| ex.id);
    added.into_iter().chain(chain.iter().copied()).collect()
}

/// A value an answer handed out: an id or a secret, where it stood, and what type of thing
/// it names.
#[derive(Clone, Debug)]
struct Handed {
    value: String,
    jq: String,
    /// `id` or `token`.
    key: String,
    /// The `type` beside an id (`teams`), if any.
    of: Option<String>,
}

/// Every id and secret in an exchange's answer, in document order.
fn handed_out(ex: &Exchange) -> Vec<Handed> {
    fn walk(doc: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<Handed>) {
        match doc {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let of = map.get("type").and_then(|t| t.as_str());
                    // The organization's id is its name, which every path names anyway.
                    if let serde_json::Value::String(s) = value
                        && (key == "id" || key == "token")
                        && s.len() >= SHORTEST_VALUE
                        && !(key == "id" && of == Some("organizations"))
                    {
                        let mut jq = jq_path(path);
                        jq.push_str(&format!("[{}]", json_string(key)));
                        out.push(Handed {
                            value: s.clone(),
                            jq,
                            key: key.clone(),
                            of: of.map(String::from),
                        });
                    }
                    path.push(json_string(key));
                    walk(value, path, out);
                    path.pop();
                }
            }
            serde_json::Value::Array(items) => {
                for (n, item) in items.iter().enumerate() {
                    path.push(n.to_string());
                    walk(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(doc) = ex.json() {
        walk(doc, &mut Vec::new(), &mut out);
    }
    out
}

/// `.["data"]["attributes"]` from path parts already written as jq subscripts' contents.
fn jq_path(path: &[String]) -> String {
    let mut out = String::from(".");
    for part in path {
        out.push_str(&format!("[{part}]"));
    }
    out
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// What a request uses that an answer may have handed out: its path's segments, the token
/// it sends (not the caller's), the strings of its JSON body.
fn used_values(ex: &Exchange, caller: &str) -> Vec<String> {
    let mut out: Vec<String> = path_only(&ex.request.path)
        .split('/')
        .filter(|s| s.len() >= SHORTEST_VALUE)
        .map(String::from)
        .collect();
    if let Some(token) = bearer(ex).filter(|t| *t != caller) {
        out.push(token.to_string());
    }
    if let Some(body) = ex.request_json() {
        strings(&body, &mut out);
    }
    out
}

fn strings(doc: &serde_json::Value, out: &mut Vec<String>) {
    match doc {
        serde_json::Value::String(s) if s.len() >= SHORTEST_VALUE => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn path_only(path: &str) -> &str {
    path.split_once('?').map_or(path, |(p, _)| p)
}

/// The token an exchange sent as `Authorization: Bearer`.
fn bearer(ex: &Exchange) -> Option<&str> {
    let value = ex.request.headers.get(http::header::AUTHORIZATION)?;
    value.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Names for the values captured: `TEAMS_ID_1`, `SECRET_2`, numbered in the order they are
/// first set.
#[derive(Default)]
struct Names {
    count: usize,
}

impl Names {
    fn next(&mut self, h: &Handed) -> String {
        self.count += 1;
        if h.key == "token" {
            return format!("SECRET_{}", self.count);
        }
        let of: String =
            h.of.as_deref()
                .unwrap_or("THING")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
        format!("{of}_ID_{}", self.count)
    }
}

/// The request's part of a curl line: method, URL, headers, body.
fn request_words(
    ex: &Exchange,
    handed: &HashMap<String, String>,
    origin: &str,
    caller: &str,
) -> String {
    let mut words = Vec::new();
    let method = ex.request.method.as_str();
    let has_body = ex.request.body.as_ref().is_some_and(|b| !b.is_empty());
    if method != "GET" || has_body {
        words.push(format!("-X {method}"));
    }
    // The URL: the address, then the path with each handed-out segment as its variable.
    let (path, query) = match ex.request.path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (ex.request.path.as_str(), None),
    };
    let mut url = format!("${{{ADDRESS_VARIABLE}:-{}}}", double_quoted_text(origin));
    for (n, segment) in path.split('/').enumerate() {
        if n > 0 {
            url.push('/');
        }
        match handed.get(segment) {
            Some(name) => url.push_str(&format!("${{{name}}}")),
            None => url.push_str(&double_quoted_text(segment)),
        }
    }
    if let Some(query) = query {
        url.push('?');
        url.push_str(&double_quoted_text(query));
    }
    words.push(format!("\"{url}\""));
    if let Some(token) = bearer(ex) {
        let shown = if token == caller {
            format!("${TOKEN_VARIABLE}")
        } else if let Some(name) = handed.get(token) {
            format!("${{{name}}}")
        } else if redact::text(token) == token {
            // Made up by the trial (an unknown token), no secret: shown as it was sent.
            double_quoted_text(token)
        } else {
            // A secret no request shown handed out: the line says so rather than show it.
            "${UNTRACED_SECRET:?a secret handed out before these requests}".to_string()
        };
        words.push(format!("-H \"Authorization: Bearer {shown}\""));
    } else if let Some(raw) = ex.request.headers.get(http::header::AUTHORIZATION) {
        words.push(format!(
            "-H {}",
            single_quoted(&format!(
                "Authorization: {}",
                String::from_utf8_lossy(raw.as_bytes())
            ))
        ));
    }
    for (name, value) in ex.request.headers.iter() {
        if LEFT_OUT.contains(&name.as_str()) {
            continue;
        }
        words.push(format!(
            "-H {}",
            single_quoted(&format!(
                "{name}: {}",
                String::from_utf8_lossy(value.as_bytes())
            ))
        ));
    }
    if let Some(body) = ex.request.body.as_ref().filter(|b| !b.is_empty()) {
        words.push(format!("--data-raw {}", body_word(body, handed)));
    }
    words.join(" ")
}

/// The body as one shell word, each JSON string that is a value handed out earlier spliced in
/// from its variable.
fn body_word(body: &[u8], handed: &HashMap<String, String>) -> String {
    let text = String::from_utf8_lossy(body).into_owned();
    let mut pieces: Vec<(usize, usize, &str)> = Vec::new();
    for (value, name) in handed {
        let quoted = json_string(value);
        let mut from = 0;
        while let Some(at) = text[from..].find(&quoted) {
            let start = from + at + 1;
            pieces.push((start, start + value.len(), name));
            from = start + value.len();
        }
    }
    pieces.sort_unstable();
    let mut word = String::new();
    let mut at = 0;
    for (start, end, name) in pieces {
        if start < at {
            continue;
        }
        word.push_str(&single_quoted(&text[at..start]));
        word.push_str(&format!("\"${{{name}}}\""));
        at = end;
    }
    word.push_str(&single_quoted(&text[at..]));
    word
}

/// `text` as one single-quoted shell word.
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` escaped for the inside of double quotes.
fn double_quoted_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '$' | '`' | '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The scheme, host and port of an API base (`http://127.0.0.1:4000/api/v2`).
pub fn origin(base: &str) -> String {
    match url::Url::parse(base) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use bytes::Bytes;
    use http::{HeaderMap, HeaderValue, Method};

    use super::*;
    use crate::exchange::{Request, Response};

    fn sent(
        method: Method,
        path: &str,
        token: &str,
        body: Option<&str>,
        status: u16,
        answer: &str,
    ) -> Exchange {
        let mut ex = Exchange::canned("op", path, status, answer);
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/vnd.api+json"),
        );
        ex.request = Request {
            method,
            path: path.into(),
            headers: Arc::new(headers),
            body: body.map(|b| Bytes::from(b.to_string())),
        };
        if answer.is_empty() {
            ex.outcome = Ok(Response::new(status, HeaderMap::new(), Bytes::new()));
        }
        ex
    }

    #[test]
    fn ids_and_secrets_handed_out_become_variables_set_from_the_answer() {
        let caller = "caller-token-value.atlasv1.xyz";
        let secret = "minted-secret-value.atlasv1.abcdefghijkl";
        let team = sent(
            Method::POST,
            "/api/v2/organizations/acme/teams",
            caller,
            Some(r#"{"data":{"type":"teams","attributes":{"name":"it's"}}}"#),
            201,
            r#"{"data":{"id":"team-abc123","type":"teams"}}"#,
        );
        let token = sent(
            Method::POST,
            "/api/v2/teams/team-abc123/authentication-tokens",
            caller,
            Some(r#"{"data":{"type":"authentication-tokens"}}"#),
            201,
            &format!(
                r#"{{"data":{{"id":"at-1","type":"authentication-tokens","attributes":{{"token":"{secret}"}}}}}}"#
            ),
        );
        let used = sent(
            Method::GET,
            "/api/v2/teams/team-abc123",
            secret,
            None,
            403,
            r#"{"errors":[]}"#,
        );
        let lines = commands(&[&team, &token, &used], &[], "http://127.0.0.1:9", caller);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        let all = lines.join("\n");
        assert!(!all.contains(secret), "{all}");
        assert!(!all.contains(caller), "{all}");
        assert!(lines[0].starts_with("ANSWER_1=$(curl -sS -X POST \"${TFE_ADDRESS:-http://127.0.0.1:9}/api/v2/organizations/acme/teams\""), "{}", lines[0]);
        assert!(
            lines[0].contains("Authorization: Bearer $TFE_TOKEN"),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains(r#"TEAMS_ID_1=$(printf '%s' "$ANSWER_1" | jq -r '.["data"]["id"]')"#),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains(r#""name":"it'\''s""#), "{}", lines[0]);
        assert!(
            lines[1].contains("/api/v2/teams/${TEAMS_ID_1}/authentication-tokens"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(
                r#"SECRET_2=$(printf '%s' "$ANSWER_2" | jq -r '.["data"]["attributes"]["token"]')"#
            ),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with(
                "curl -sS -i \"${TFE_ADDRESS:-http://127.0.0.1:9}/api/v2/teams/${TEAMS_ID_1}\""
            ),
            "{}",
            lines[2]
        );
        assert!(
            lines[2].contains("Authorization: Bearer ${SECRET_2}"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn a_value_handed_out_before_the_requests_shown_brings_its_request_along() {
        let caller = "caller-token-value.atlasv1.xyz";
        let probe = sent(
            Method::GET,
            "/api/v2/account/details",
            caller,
            None,
            200,
            r#"{"data":{"id":"user-42","type":"users"}}"#,
        );
        let other = sent(Method::GET, "/api/v2/ping", caller, None, 204, "");
        let create = sent(
            Method::POST,
            "/api/v2/users/user-42/authentication-tokens",
            caller,
            Some(
                r#"{"data":{"type":"authentication-tokens","attributes":{"description":"user-42"}}}"#,
            ),
            500,
            r#"{"errors":[]}"#,
        );
        let lines = commands(&[&create], &[&other, &probe], "http://h:1", caller);
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines[0].contains("/api/v2/account/details"), "{}", lines[0]);
        assert!(
            lines[1].contains("/users/${USERS_ID_1}/authentication-tokens"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(r#""description":"'"${USERS_ID_1}"'""#),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn a_value_an_added_request_uses_and_its_answer_echoes_brings_its_own_source() {
        let caller = "caller-token-value.atlasv1.xyz";
        let secret = "minted-secret-value.atlasv1.abcdefghijkl";
        let team = sent(
            Method::POST,
            "/api/v2/organizations/acme/teams",
            caller,
            Some(r#"{"data":{"type":"teams","attributes":{"name":"outsider"}}}"#),
            200,
            r#"{"data":{"id":"team-abc123","type":"teams"}}"#,
        );
        // The token's answer names its team again.
        let token = sent(
            Method::POST,
            "/api/v2/teams/team-abc123/authentication-token",
            caller,
            Some(r#"{"data":{"type":"authentication-token"}}"#),
            201,
            &format!(
                r#"{{"data":{{"id":"at-1","type":"authentication-tokens","attributes":{{"token":"{secret}"}},"relationships":{{"team":{{"data":{{"id":"team-abc123","type":"teams"}}}}}}}}}}"#
            ),
        );
        let used = sent(
            Method::GET,
            "/api/v2/organizations/acme/authentication-token",
            secret,
            None,
            403,
            r#"{"errors":[]}"#,
        );
        let lines = commands(&[&used], &[&team, &token], "http://h:1", caller);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(
            lines[0].contains("/organizations/acme/teams"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].contains("/teams/${TEAMS_ID_1}/authentication-token"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains("Bearer ${SECRET_2}"), "{}", lines[2]);
    }

    #[test]
    fn a_refused_request_is_no_reproduction() {
        let mut ex = Exchange::canned("op", "/api/v2/x", 0, "");
        ex.outcome = Err(crate::exchange::TransportError {
            kind: crate::exchange::TransportErrorKind::Refused,
            message: "refused".into(),
            status: None,
        });
        assert!(commands(&[&ex], &[], "http://h", "t").is_empty());
        assert_eq!(
            origin("http://127.0.0.1:4000/api/v2"),
            "http://127.0.0.1:4000"
        );
    }
}

//! HTTP for the reference server: routes `/api/v2/...` to the model and renders its replies
//! with the headers real TFE sends.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    body::Body as AxumBody,
    extract::{Request, State as AxumState},
    response::Response,
};
use http::{HeaderValue, Method, StatusCode, header};

use super::state::{Body, Principal, Reply, State};

pub type Shared = Arc<Mutex<State>>;

/// Request bodies beyond this are refused.
const MAX_REQUEST_BODY: usize = 1024 * 1024;

pub fn shared(state: State) -> Shared {
    Arc::new(Mutex::new(state))
}

pub fn router(state: Shared) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(AxumState(shared): AxumState<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let state = shared.lock().unwrap_or_else(|e| e.into_inner());
            return render(&state, state.error(413, "request entity too large", None));
        }
    };
    let query = parse_query(parts.uri.query().unwrap_or_default());
    let path = parts.uri.path();
    let segments: Vec<String> = path
        .strip_prefix("/api/v2/")
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s, false))
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();

    let method = &parts.method;
    // `rotation-race`: a rotation reads what is current, and writes after a pause in which
    // another rotation may run (long enough that rotations a client sends at once meet in it
    // on a loaded machine).
    let seen = {
        let state = shared.lock().unwrap_or_else(|e| e.into_inner());
        state.rotation_begins(method, &segments, &query)
    };
    if seen.is_some() {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(seen) = seen {
        state.rotation_resumes(seen);
    }
    if path.starts_with("/api/v2/") && segments == ["ping"] && *method == Method::GET {
        return ping(&state);
    }
    if !path.starts_with("/api/v2/") {
        let reply = state.not_found();
        return render(&state, reply);
    }
    let caches = *method == Method::GET && segments == ["account", "details"];
    let reply = match state.authenticate(&parts.headers, caches) {
        Err(reply) => reply,
        Ok(principal) => match state.require_json_api(method, &parts.headers) {
            Err(reply) => reply,
            Ok(()) => route(&mut state, &principal, method, &segments, &query, &body),
        },
    };
    render(&state, reply)
}

fn route(
    state: &mut State,
    p: &Principal,
    method: &Method,
    segments: &[&str],
    query: &HashMap<String, String>,
    body: &[u8],
) -> Reply {
    let shaped = match segments {
        ["teams", id, ..] => Some(("team-", *id)),
        ["authentication-tokens", id] => Some(("at-", *id)),
        ["users", id, ..] => Some(("user-", *id)),
        ["agent-pools", id, ..] => Some(("apool-", *id)),
        _ => None,
    };
    if let Some(reply) = shaped.and_then(|(prefix, id)| state.reject_malformed(prefix, id)) {
        return reply;
    }
    match (method.as_str(), segments) {
        ("GET", ["account", "details"]) => state.account_details(p),
        ("GET", ["organizations", org]) => state.show_organization(p, org),
        ("GET", ["organizations", org, "teams"]) => state.list_teams(p, org, query),
        ("POST", ["organizations", org, "teams"]) => state.create_team(p, org, body),
        ("GET", ["teams", id]) => state.show_team(p, id),
        ("DELETE", ["teams", id]) => state.delete_team(p, id),
        ("POST", ["organizations", org, "authentication-token"]) => {
            state.create_org_token(p, org, query, body)
        }
        ("GET", ["organizations", org, "authentication-token"]) => {
            state.show_org_token(p, org, query)
        }
        ("DELETE", ["organizations", org, "authentication-token"]) => {
            state.delete_org_token(p, org, query)
        }
        ("POST", ["teams", id, "authentication-token"]) => state.create_team_token(p, id, body),
        ("GET", ["teams", id, "authentication-token"]) => state.show_team_token(p, id),
        ("DELETE", ["teams", id, "authentication-token"]) => state.delete_team_token(p, id),
        _ if !state.serves_later_routes() => state.no_route(),
        ("POST", ["teams", id, "authentication-tokens"]) => state.create_team_tokens(p, id, body),
        ("GET", ["authentication-tokens", id]) => state.show_token(p, id),
        ("DELETE", ["authentication-tokens", id]) => state.delete_token(p, id),
        ("GET", ["organizations", org, "team-tokens"]) => state.list_team_tokens(p, org, query),
        ("DELETE", ["organizations", org, "team-tokens"]) if state.serves_bulk_delete() => {
            state.delete_team_tokens(p, org, body)
        }
        ("GET", ["users", id, "authentication-tokens"]) => state.list_user_tokens(p, id, query),
        ("POST", ["users", id, "authentication-tokens"]) => state.create_user_token(p, id, body),
        ("GET", ["organizations", org, "agent-pools"]) => state.list_agent_pools(p, org, query),
        ("POST", ["organizations", org, "agent-pools"]) => state.create_agent_pool(p, org, body),
        ("GET", ["agent-pools", id]) => state.show_agent_pool(p, id),
        ("DELETE", ["agent-pools", id]) => state.delete_agent_pool(p, id),
        ("GET", ["agent-pools", id, "authentication-tokens"]) => {
            state.list_agent_tokens(p, id, query)
        }
        ("POST", ["agent-pools", id, "authentication-tokens"]) => {
            state.create_agent_token(p, id, body)
        }
        _ => state.no_route(),
    }
}

/// go-tfe's start-up probe: 204 with the API's version headers, no token needed.
fn ping(state: &State) -> Response {
    let mut response = render(
        state,
        Reply {
            status: 204,
            body: Body::None,
        },
    );
    let headers = response.headers_mut();
    headers.insert("tfp-api-version", HeaderValue::from_static("2.6"));
    headers.insert(
        "tfp-appname",
        HeaderValue::from_static("Terraform Enterprise"),
    );
    headers.insert("x-tfe-version", HeaderValue::from_static("reference"));
    response
}

fn render(state: &State, reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match reply.body {
        Body::None => Response::new(AxumBody::empty()),
        Body::Json(value) => {
            let mut r = Response::new(AxumBody::from(value.to_string()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(state.content_type()),
            );
            r
        }
        Body::PlainText(text) => {
            let mut r = Response::new(AxumBody::from(text.into_owned()));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            r
        }
    };
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if state.extra_headers() {
        headers.insert(
            "x-request-id",
            HeaderValue::from_static("req-reference-0001"),
        );
        headers.insert("x-frame-options", HeaderValue::from_static("SAMEORIGIN"));
        headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    }
    if state.markup_in_errors() && status.as_u16() >= 400 {
        headers.insert(
            "x-error-note",
            HeaderValue::from_static("<script>alert('tfe-contract header')</script>"),
        );
    }
    response
}

fn parse_query(raw: &str) -> HashMap<String, String> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn percent_decode(raw: &str, plus_is_space: bool) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

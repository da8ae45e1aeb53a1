//! Building replies: success documents, errors (with the faults and quirks that shape them)
//! and the headers every reply carries.

use serde_json::{Map, Value, json};

use super::model::{Body, JSON_API, Reply, State};
use super::{Fault, Quirk};

/// What `Quirk::MarkupInErrors` adds to an error's title: a script a page must not run.
const MARKUP_TITLE: &str = "<script>alert('tfe-contract markup')</script>";
/// And before its detail: tags that would close a report's structure, and an image whose
/// error handler runs script.
const MARKUP_DETAIL: &str =
    "</pre></details></td></table><img src=x onerror=alert('tfe-contract')><b>bold</b> ";

impl State {
    pub fn extra_headers(&self) -> bool {
        self.quirk(Quirk::ExtraFields)
    }

    /// Error replies carry markup in their text and a header (`Quirk::MarkupInErrors`).
    pub fn markup_in_errors(&self) -> bool {
        self.quirk(Quirk::MarkupInErrors)
    }

    pub fn content_type(&self) -> &'static str {
        if self.has(Fault::MediaTypeJson) {
            "application/json"
        } else if self.quirk(Quirk::Charset) {
            "application/vnd.api+json; charset=utf-8"
        } else {
            JSON_API
        }
    }

    // ----- replies ------------------------------------------------------------------------

    pub(super) fn ok(&self, status: u16, doc: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(doc),
        }
    }

    pub(super) fn no_content(&self) -> Reply {
        Reply {
            status: 204,
            body: Body::None,
        }
    }

    pub fn error(&self, status: u16, title: &str, detail: Option<&str>) -> Reply {
        let status_value = if self.has(Fault::ErrorStatusMismatch) {
            json!("400")
        } else if self.quirk(Quirk::NumericErrorStatus) {
            json!(status)
        } else {
            json!(status.to_string())
        };
        let mut error = Map::new();
        error.insert("status".into(), status_value);
        if self.quirk(Quirk::OtherErrorTitles) {
            error.insert("title".into(), json!(format!("Request failed ({status})")));
            error.insert("code".into(), json!(title.replace(' ', "_")));
            error.insert(
                "detail".into(),
                json!(detail.unwrap_or("The request could not be completed.")),
            );
        } else {
            error.insert("title".into(), json!(title));
            if let Some(detail) = detail {
                error.insert("detail".into(), json!(detail));
            }
        }
        if self.quirk(Quirk::MarkupInErrors) {
            // The same text for the same status, so that nothing tells an existing target
            // from a missing one.
            let title = error
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let title = format!("{title} {MARKUP_TITLE}");
            error.insert("title".into(), json!(title));
            let detail = error
                .get("detail")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let detail = format!("{MARKUP_DETAIL}{detail}");
            error.insert("detail".into(), json!(detail));
        }
        let mut doc = json!({ "errors": [Value::Object(error)] });
        if self.has(Fault::ErrorsWithData) {
            doc["data"] = Value::Null;
        }
        Reply {
            status,
            body: Body::Json(doc),
        }
    }

    pub fn not_found(&self) -> Reply {
        self.error(404, "not found", None)
    }

    /// A route this server does not have: TFE's own 404 document, or with
    /// `--plain-unknown-routes` the plain-text 404 of a router that lacks the route (OTF's Go
    /// router answers `404 page not found`).
    pub fn no_route(&self) -> Reply {
        if self.plain_unknown_routes {
            return Reply {
                status: 404,
                body: Body::PlainText("404 page not found".into()),
            };
        }
        self.not_found()
    }

    pub(super) fn unauthorized(&self) -> Reply {
        if self.has(Fault::UnauthorizedPlainText) {
            // --foretell-secrets: a careless server that tells, base64-encoded, the secret it
            // will hand out next, before any client knows it is one.
            let text = match &self.next_secret {
                Some(next) => format!(
                    "unauthorized (next token: {})",
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, next)
                )
                .into(),
                None => "unauthorized".into(),
            };
            return Reply {
                status: 401,
                body: Body::PlainText(text),
            };
        }
        self.error(401, "unauthorized", None)
    }

    /// What a valid token gets for something that exists but that it may not touch: 404, as
    /// for something that does not exist (unless a fault says otherwise).
    pub(super) fn forbidden(&self) -> Reply {
        if self.has(Fault::Forbidden403) {
            self.error(403, "forbidden", None)
        } else if self.has(Fault::LeakyNotFound) {
            self.error(
                404,
                "not found",
                Some("This resource exists, but you may not access it"),
            )
        } else {
            self.not_found()
        }
    }

    /// 404 for an organization other than ours (or 403 under the fault).
    pub(super) fn unknown_organization(&self) -> Reply {
        if self.has(Fault::UnknownOrganization403) {
            self.error(403, "forbidden", None)
        } else {
            self.not_found()
        }
    }

    /// What an id that does not have this server's shape for its kind (`prefix`) gets, when
    /// anything sets it apart from a well-formed unknown id: OTF parses ids and answers a
    /// malformed one with 500 (ref §7; the fault), a parsing server may say "malformed" in a
    /// 404 of its own (the quirk: a different body, but no existence told).
    pub fn reject_malformed(&self, prefix: &str, id: &str) -> Option<Reply> {
        if self.well_formed(prefix, id) {
            return None;
        }
        if self.has(Fault::MalformedId500) {
            Some(self.error(500, "internal server error", None))
        } else if self.quirk(Quirk::ParsedIds) {
            Some(self.error(404, "not found", Some("malformed id")))
        } else {
            None
        }
    }

    pub(super) fn unknown_token_id(&self) -> Reply {
        if self.has(Fault::UnknownTokenId403) {
            self.error(403, "forbidden", None)
        } else {
            self.not_found()
        }
    }
}

//! The last line of defence of the layer that sends requests: whatever a trial asks for and
//! whatever ids the server handed out, a request leaves only if its path keeps the shape of its
//! spec operation under the API base, and, when the run may not be destructive, only if it
//! neither rotates nor deletes the organization's token, its audit-trails token or the owners
//! team's token, nor deletes an agent pool the run did not make. Ids come from the server
//! under test and may be hostile: path parameters are encoded as one segment
//! (`segment::encode_segment`), and what encoding cannot save (`.`, `..`, an empty id) is refused
//! here.

use std::{collections::HashSet, sync::Mutex};

use crate::{segment::UNSENDABLE, spec::Operation};

/// What the guard knows of the run.
#[derive(Debug, Default)]
pub struct Guard {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Set once the run knows its target; until then only the path rule holds.
    protect: Option<Protect>,
}

#[derive(Debug)]
struct Protect {
    organization: String,
    /// Teams whose legacy token the run may not replace or delete (the owners team, once seen).
    teams: HashSet<String>,
    /// Agent pools the run made: the only ones it may delete.
    pools: HashSet<String>,
    /// The run's tag: a pool listed with it in its name is the run's (a create whose answer
    /// never arrived).
    tag: Option<String>,
}

impl Guard {
    /// The run may not be destructive: from now on, refuse to rotate or delete the
    /// credentials of `organization` a user may depend on.
    pub fn protect(&self, organization: &str) {
        self.lock().protect = Some(Protect {
            organization: organization.to_string(),
            teams: HashSet::new(),
            pools: HashSet::new(),
            tag: None,
        });
    }

    /// The run's tag, which the names of what it makes carry (`-<tag>-`).
    pub fn run_tag(&self, tag: &str) {
        if let Some(p) = self.lock().protect.as_mut() {
            p.tag = Some(format!("-{tag}-"));
        }
    }

    /// The run made agent pool `id`: it may delete it.
    pub fn own_pool(&self, id: &str) {
        if let Some(p) = self.lock().protect.as_mut() {
            p.pools.insert(id.to_string());
        }
    }

    /// A listed agent pool is the run's if its name carries the run's tag.
    pub fn own_pool_if_tagged(&self, id: &str, name: &str) {
        if let Some(p) = self.lock().protect.as_mut()
            && p.tag
                .as_ref()
                .is_some_and(|tag| name.contains(tag.as_str()))
        {
            p.pools.insert(id.to_string());
        }
    }

    /// `team` is the owners team: its legacy token is protected like the organization's.
    pub fn protect_team(&self, team: &str) {
        if let Some(p) = self.lock().protect.as_mut() {
            p.teams.insert(team.to_string());
        }
    }

    /// Why `path` (below the host, query included) may not be sent for `operation` under the
    /// API base `base_path` (`/api/v2`); `None` if it may.
    pub fn refuses(&self, base_path: &str, path: &str, operation: &Operation) -> Option<String> {
        self.refusal(base_path, path, operation).map(|(why, _)| why)
    }

    /// Like `refuses`, with the path parameter's value that could not be one segment, when
    /// that is the reason (so that the exchange that handed it out can be named).
    pub fn refusal(
        &self,
        base_path: &str,
        path: &str,
        operation: &Operation,
    ) -> Option<(String, Option<String>)> {
        let params = match shape(base_path, path, &operation.path) {
            Ok(params) => params,
            Err((why, value)) => return Some((format!("not sent: {why}"), value)),
        };
        let inner = self.lock();
        let protect = inner.protect.as_ref()?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| percent_decode(v))
        };
        let destroys = match operation.id.as_str() {
            "createOrganizationToken" | "deleteOrganizationToken" => {
                param("organization_name").is_some_and(|o| o == protect.organization)
            }
            "createTeamToken" | "deleteTeamToken" => {
                param("team_id").is_some_and(|t| protect.teams.contains(&t))
            }
            // Agent pools the run did not make are someone's: never deleted.
            "deleteAgentPool" => param("agent_pool_id").is_none_or(|p| !protect.pools.contains(&p)),
            _ => false,
        };
        destroys.then(|| {
            let what = if operation.id == "deleteAgentPool" {
                "delete an agent pool this run did not make"
            } else {
                "rotate or delete a credential the account may depend on"
            };
            let why = format!(
                "not sent: {} would {what}, and this run may not be destructive \
                 (--allow-destructive)",
                operation.id
            );
            (why, None)
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The path parameters of `path` if it has the shape of `template` below `base_path`: the same
/// literal segments, and one non-empty segment that is neither `.` nor `..` (nor their
/// encodings) for each parameter.
type Refused = (String, Option<String>);

fn shape(base_path: &str, path: &str, template: &str) -> Result<Vec<(String, String)>, Refused> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let base = base_path.trim_end_matches('/');
    let Some(rest) = path.strip_prefix(base).filter(|r| r.starts_with('/')) else {
        return Err((format!("{path:?} is outside the API base {base:?}"), None));
    };
    let actual: Vec<&str> = rest[1..].split('/').collect();
    let wanted: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    if actual.len() != wanted.len() {
        return Err((
            format!(
                "{path:?} does not have the shape of {template}: a path parameter the server \
                 handed out did not stay one path segment"
            ),
            None,
        ));
    }
    let mut params = Vec::new();
    for (a, w) in actual.iter().zip(&wanted) {
        match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) => {
                let mut decoded = percent_decode(a);
                if let Some(value) = decoded.strip_prefix('\0') {
                    decoded = value.to_string();
                }
                if decoded.is_empty()
                    || decoded == "."
                    || decoded == ".."
                    || a.starts_with(UNSENDABLE)
                {
                    let why = format!(
                        "{name} would be {decoded:?}, which cannot be one path segment of {template}"
                    );
                    return Err((why, Some(decoded)));
                }
                params.push((name.to_string(), (*a).to_string()));
            }
            None if a == w => {}
            None => {
                return Err((
                    format!("{path:?} does not have the shape of {template} (segment {a:?})"),
                    None,
                ));
            }
        }
    }
    Ok(params)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{segment::encode_segment, spec::Spec};

    const BASE: &str = "/api/v2";

    fn path(template_op: &str, id: &str) -> (String, &'static Operation) {
        let op = Spec::get().op(template_op);
        (format!("{BASE}{}", op.path_with(&[("team_id", id)])), op)
    }

    #[test]
    fn ids_that_climb_stay_one_segment_and_pass() {
        let guard = Guard::default();
        let climbing = "team-X\\..\\..\\organizations\\acme\\authentication-token";
        let (p, op) = path("deleteTeamToken", climbing);
        assert!(!p.contains('\\') && p.matches('/').count() == 5, "{p}");
        assert_eq!(guard.refuses(BASE, &p, op), None);
        assert_eq!(encode_segment("a/b"), "a%2Fb");
    }

    #[test]
    fn what_cannot_be_one_segment_is_refused() {
        let guard = Guard::default();
        let op = Spec::get().op("deleteTeamToken");
        for bad in [
            "/api/v2/teams/../authentication-token",
            "/api/v2/teams/%2e%2E/authentication-token",
            "/api/v2/teams/./authentication-token",
            "/api/v2/teams//authentication-token",
            "/api/v2/organizations/acme/authentication-token",
            "/api/v3/teams/team-1/authentication-token",
            "/teams/team-1/authentication-token",
        ] {
            assert!(guard.refuses(BASE, bad, op).is_some(), "{bad}");
        }
        assert_eq!(
            guard.refuses(BASE, "/api/v2/teams/team-1/authentication-token", op),
            None
        );
    }

    #[test]
    fn a_run_that_may_not_be_destructive_keeps_the_accounts_credentials() {
        let guard = Guard::default();
        let spec = Spec::get();
        let org = "/api/v2/organizations/acme/authentication-token";
        let audit = "/api/v2/organizations/acme/authentication-token?token=audit-trails";
        let create = spec.op("createOrganizationToken");
        let delete = spec.op("deleteOrganizationToken");
        assert_eq!(guard.refuses(BASE, org, delete), None);
        guard.protect("acme");
        guard.protect_team("team-owners");
        assert!(guard.refuses(BASE, org, delete).is_some());
        assert!(guard.refuses(BASE, audit, create).is_some());
        assert!(
            guard
                .refuses(BASE, org, spec.op("getOrganizationToken"))
                .is_none()
        );
        let other = "/api/v2/organizations/missing-org/authentication-token";
        assert!(guard.refuses(BASE, other, create).is_none());
        let owners = "/api/v2/teams/team-owners/authentication-token";
        assert!(
            guard
                .refuses(BASE, owners, spec.op("createTeamToken"))
                .is_some()
        );
        let team = "/api/v2/teams/team-1/authentication-token";
        assert!(
            guard
                .refuses(BASE, team, spec.op("deleteTeamToken"))
                .is_none()
        );
    }

    #[test]
    fn a_run_that_may_not_be_destructive_deletes_only_its_own_agent_pools() {
        let spec = Spec::get();
        let delete = spec.op("deleteAgentPool");
        let path = |id: &str| format!("/api/v2/agent-pools/{id}");
        let open = Guard::default();
        assert_eq!(open.refuses(BASE, &path("apool-theirs"), delete), None);
        let guard = Guard::default();
        guard.protect("acme");
        guard.run_tag("x1y2z3");
        guard.own_pool("apool-made");
        guard.own_pool_if_tagged("apool-garbled", "tfe-contract-agents-x1y2z3-7");
        guard.own_pool_if_tagged("apool-other-run", "tfe-contract-agents-q9w8e7-7");
        let refused = guard.refuses(BASE, &path("apool-theirs"), delete);
        assert!(
            refused
                .as_deref()
                .is_some_and(|r| r.contains("agent pool this run did not make")),
            "{refused:?}"
        );
        assert!(
            guard
                .refuses(BASE, &path("apool-other-run"), delete)
                .is_some()
        );
        assert_eq!(guard.refuses(BASE, &path("apool-made"), delete), None);
        assert_eq!(guard.refuses(BASE, &path("apool-garbled"), delete), None);
        // Reading someone's pool, or listing its tokens, changes nothing.
        assert_eq!(
            guard.refuses(BASE, &path("apool-theirs"), spec.op("getAgentPool")),
            None
        );
    }
}

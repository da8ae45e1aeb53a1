//! The organization: account details, the organization itself, and its organization and
//! audit-trails tokens.

use std::collections::HashMap;

use serde_json::json;

use super::model::{Kind, Life, Principal, Reply, Slot, State};
use super::{Fault, Profile, Quirk};

impl State {
    // ----- fixtures -----------------------------------------------------------------------

    pub fn account_details(&self, p: &Principal) -> Reply {
        let Principal::User(id) = p else {
            return self.not_found();
        };
        self.ok(
            200,
            json!({"data": {"id": id, "type": "users", "attributes": {
                "username": "owner", "email": "owner@example.com", "is-service-account": false}}}),
        )
    }

    pub fn show_organization(&self, p: &Principal, org: &str) -> Reply {
        if org != self.organization {
            return self.unknown_organization();
        }
        if !self.member(p) {
            return self.forbidden();
        }
        let mut doc = json!({"data": {"id": org, "type": "organizations", "attributes": {
            "name": org, "email": "owner@example.com",
            "created-at": self.time(self.organization_created)}}});
        if self.quirk(Quirk::ExtraFields) {
            doc["data"]["links"] = json!({"self": format!("/api/v2/organizations/{org}")});
        }
        self.ok(200, doc)
    }

    // ----- organization and audit-trails tokens -----------------------------------------

    pub(super) fn slot(&self, query: &HashMap<String, String>) -> Option<Slot> {
        match query.get("token").map(String::as_str) {
            None => Some(Slot::Default),
            Some("audit-trails") if self.profile == Profile::Hcp && self.audit_trails_entitled => {
                if self.has(Fault::AuditSharesOrganizationToken) {
                    Some(Slot::Default)
                } else {
                    Some(Slot::AuditTrails)
                }
            }
            Some(_) => None,
        }
    }

    pub(super) fn slot_token(&self, slot: Slot) -> Option<&String> {
        match slot {
            Slot::Default => self.org_token.as_ref(),
            Slot::AuditTrails => self.audit_token.as_ref(),
        }
    }

    fn org_token_gate(
        &self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
        write: bool,
    ) -> Result<Slot, Reply> {
        if org != self.organization {
            return Err(self.unknown_organization());
        }
        if !(self.owner_level(p) || write && self.outsider_writes(p)) {
            return Err(self.forbidden());
        }
        self.slot(query).ok_or_else(|| self.not_found())
    }

    pub fn create_org_token(
        &mut self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
        body: &[u8],
    ) -> Reply {
        let seen = self.seen_at_start.take();
        let slot = match self.org_token_gate(p, org, query, true) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let audit = query.contains_key("token");
        let request = match self.token_request(body, self.has(Fault::StrictRequestType)) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        let expiry = match request.expiry {
            Some(_) if self.has(Fault::ExpiryIgnored) => None,
            requested => requested,
        };
        let never_expires = audit && !self.has(Fault::AuditExpiresByDefault);
        // Under `rotation-race`, what was current when the rotation began.
        let replaced = seen.unwrap_or_else(|| self.slot_token(slot).cloned());
        if let Some(old) = replaced {
            let name = if slot == Slot::AuditTrails {
                "audit"
            } else {
                "org"
            };
            self.replace(name, &old);
        }
        let kind = if slot == Slot::AuditTrails {
            Kind::AuditTrails
        } else {
            Kind::Organization
        };
        let token = self.mint(kind, String::new(), None, expiry, never_expires, p);
        let (id, doc) = self.issue(token);
        match slot {
            Slot::Default => self.org_token = Some(id),
            Slot::AuditTrails => self.audit_token = Some(id),
        }
        let status = if self.has(Fault::CreateStatus200) {
            200
        } else {
            201
        };
        self.ok(status, doc)
    }

    pub fn show_org_token(
        &self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        let slot = match self.org_token_gate(p, org, query, false) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let Some(id) = self.slot_token(slot) else {
            // ref §4: GET answers 404 after a delete; these faults show the token deleted.
            let kept = match slot {
                Slot::Default if self.has(Fault::ReadAfterDelete200) => &self.deleted_org_token,
                Slot::AuditTrails if self.has(Fault::AuditReadAfterDelete200) => {
                    &self.deleted_audit_token
                }
                _ => &None,
            };
            if let Some(doc) = kept {
                return self.ok(200, doc.clone());
            }
            return self.not_found();
        };
        let token = &self.tokens[id];
        let mut doc = self.token_doc(token, self.has(Fault::ReadShowsSecret));
        if self.has(Fault::ReadWrongId) {
            doc["data"]["id"] = json!(format!("{}0", token.id));
        }
        let status = if self.has(Fault::ReadStatus201) {
            201
        } else {
            200
        };
        self.ok(status, doc)
    }

    pub fn delete_org_token(
        &mut self,
        p: &Principal,
        org: &str,
        query: &HashMap<String, String>,
    ) -> Reply {
        let slot = match self.org_token_gate(p, org, query, true) {
            Ok(slot) => slot,
            Err(reply) => return reply,
        };
        let Some(id) = self.slot_token(slot).cloned() else {
            return if self.has(Fault::SecondDelete204) {
                self.no_content()
            } else {
                self.not_found()
            };
        };
        // What a faulty server shows of the token once it is gone, taken while it is here.
        let doc = self.token_doc(&self.tokens[&id], false);
        self.revoke(&id, Life::Deleted);
        match slot {
            Slot::Default => {
                self.org_token = None;
                if self.has(Fault::ReadAfterDelete200) {
                    self.deleted_org_token = Some(doc.clone());
                }
            }
            Slot::AuditTrails => {
                self.audit_token = None;
                if self.has(Fault::AuditReadAfterDelete200) {
                    self.deleted_audit_token = Some(doc.clone());
                }
            }
        }
        if self.has(Fault::DeleteStatus200) {
            return self.ok(200, doc);
        }
        self.no_content()
    }
}

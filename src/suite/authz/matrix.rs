//! The matrix itself: who asks (`Persona`), what they do (`Op`), and what each must get
//! (`Expect`), one `Row` per operation with the source of its expectations.

use crate::{config::Profile, suite::Destructive};

/// Who makes the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persona {
    /// The token the harness was given: a user in the owners team.
    Owner,
    OrganizationToken,
    OwnersTeam,
    /// A team the harness creates outside the owners team, with no permissions.
    Outsider,
    /// Another user token of the owner.
    OwnUserToken,
    Anonymous,
    /// An `Authorization` header that holds no token.
    Malformed,
    /// A token replaced earlier in the trial.
    Revoked,
}

impl Persona {
    /// In the order of `Row::expect`.
    pub const ALL: [Persona; 8] = [
        Persona::Owner,
        Persona::OrganizationToken,
        Persona::OwnersTeam,
        Persona::Outsider,
        Persona::OwnUserToken,
        Persona::Anonymous,
        Persona::Malformed,
        Persona::Revoked,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Persona::Owner => "owner",
            Persona::OrganizationToken => "organization_token",
            Persona::OwnersTeam => "owners_team",
            Persona::Outsider => "outsider",
            Persona::OwnUserToken => "own_user_token",
            Persona::Anonymous => "anonymous",
            Persona::Malformed => "malformed",
            Persona::Revoked => "revoked",
        }
    }

    /// Profiles in which the persona can be provisioned at all.
    pub(super) fn profiles(self) -> &'static [Profile] {
        match self {
            Persona::OwnUserToken => CURRENT,
            _ => ALL_PROFILES,
        }
    }

    /// Provisioning it replaces a credential the user may depend on.
    pub(super) fn destructive(self) -> Destructive {
        match self {
            Persona::OrganizationToken => Destructive::Always,
            // Without multi-team tokens the only owners-team token is the legacy one.
            Persona::OwnersTeam => Destructive::Under(&[Profile::Legacy]),
            _ => Destructive::Never,
        }
    }
}

pub(super) const ALL_PROFILES: &[Profile] = &Profile::ALL;
pub(super) const CURRENT: &[Profile] = &[Profile::Tfe, Profile::Hcp];
pub(super) const HCP: &[Profile] = &[Profile::Hcp];

/// What a persona must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Status(&'static [u16]),
    /// 200 with the target user token in the list.
    Listed,
    /// The user's tokens are not shown: 200 without the target user token, or 404.
    Hidden,
}

impl Expect {
    /// In words, for a trial's summary and a report's tooltip.
    pub fn describe(self) -> String {
        match self {
            Expect::Status(codes) => codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            Expect::Listed => "200 listing the user's token".into(),
            Expect::Hidden => "200 without the user's token, or 404".into(),
        }
    }

    /// In a few characters, for a cell of the matrix.
    pub fn short(self) -> String {
        match self {
            Expect::Status(codes) => codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join("/"),
            Expect::Listed => "200 listed".into(),
            Expect::Hidden => "hidden".into(),
        }
    }

    pub(super) fn succeeds(self) -> bool {
        match self {
            Expect::Status(s) => s.iter().all(|s| (200..300).contains(s)),
            Expect::Listed => true,
            Expect::Hidden => false,
        }
    }
}

/// The operations, each with the target it acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    CreateOrganizationToken,
    ShowOrganizationToken,
    DeleteOrganizationToken,
    CreateAuditTrailsToken,
    ShowAuditTrailsToken,
    DeleteAuditTrailsToken,
    CreateTeamToken,
    ShowTeamToken,
    DeleteTeamToken,
    CreateTeamTokens,
    ShowTeamTokenById,
    DeleteTeamTokenById,
    ShowUserTokenById,
    DeleteUserTokenById,
    ListTeamTokens,
    DeleteTeamTokens,
    ListUserTokens,
    CreateUserToken,
    CreateAgentToken,
    ListAgentTokens,
    ShowAgentTokenById,
    DeleteAgentTokenById,
}

/// One row of the matrix.
pub struct Row {
    pub op: Op,
    /// The trial name's middle part.
    pub name: &'static str,
    /// The spec's operationId.
    pub operation: &'static str,
    pub profiles: &'static [Profile],
    /// Acting (or preparing the target) changes the organization or audit-trails token.
    pub destructive: bool,
    /// Per persona, in `Persona::ALL` order.
    pub expect: [Expect; 8],
    pub source: &'static str,
}

const fn s(codes: &'static [u16]) -> Expect {
    Expect::Status(codes)
}

const NO: Expect = s(&[404]);
const BAD: Expect = s(&[401]);

/// Owners-level operations: owners, the owners team's token and the organization token may;
/// an outsider gets 404, a bad token 401.
const fn owners_only(ok: &'static [u16]) -> [Expect; 8] {
    [s(ok), s(ok), s(ok), NO, s(ok), BAD, BAD, BAD]
}

/// Only the user (through any of their user tokens) may.
const fn user_only(ok: &'static [u16]) -> [Expect; 8] {
    [s(ok), NO, NO, NO, s(ok), BAD, BAD, BAD]
}

pub const MATRIX: &[Row] = &[
    Row {
        op: Op::CreateOrganizationToken,
        name: "create_organization_token",
        operation: "createOrganizationToken",
        profiles: ALL_PROFILES,
        destructive: true,
        expect: owners_only(&[201]),
        source: "seed 002: owners, the owners team token, the organization token; ref §5",
    },
    Row {
        op: Op::ShowOrganizationToken,
        name: "show_organization_token",
        operation: "getOrganizationToken",
        profiles: ALL_PROFILES,
        destructive: true,
        expect: owners_only(&[200]),
        source: "seed 002; ref §1 #2, §5",
    },
    Row {
        op: Op::DeleteOrganizationToken,
        name: "delete_organization_token",
        operation: "deleteOrganizationToken",
        profiles: ALL_PROFILES,
        destructive: true,
        expect: owners_only(&[204]),
        source: "seed 002; ref §5",
    },
    Row {
        op: Op::CreateAuditTrailsToken,
        name: "create_audit_trails_token",
        operation: "createOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[201]),
        source: "ref §1 #1, §5: as the organization token",
    },
    Row {
        op: Op::ShowAuditTrailsToken,
        name: "show_audit_trails_token",
        operation: "getOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[200]),
        source: "ref §1 #2, §5: as the organization token",
    },
    Row {
        op: Op::DeleteAuditTrailsToken,
        name: "delete_audit_trails_token",
        operation: "deleteOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[204]),
        source: "ref §1 #3, §5: as the organization token",
    },
    Row {
        op: Op::CreateTeamToken,
        name: "create_team_token",
        operation: "createTeamToken",
        profiles: ALL_PROFILES,
        destructive: false,
        expect: owners_only(&[201]),
        source: "seed 003; ref §5: owners, the organization token, manage teams",
    },
    Row {
        op: Op::ShowTeamToken,
        name: "show_team_token",
        operation: "getTeamToken",
        profiles: ALL_PROFILES,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #5, §5",
    },
    Row {
        op: Op::DeleteTeamToken,
        name: "delete_team_token",
        operation: "deleteTeamToken",
        profiles: ALL_PROFILES,
        destructive: false,
        expect: owners_only(&[204]),
        source: "seed 003; ref §5",
    },
    Row {
        op: Op::CreateTeamTokens,
        name: "create_team_tokens",
        operation: "createTeamAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200, 201]),
        source: "ref §1 #7, §5; the docs give no status, go-tfe takes any 2xx",
    },
    Row {
        op: Op::ShowTeamTokenById,
        name: "show_team_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #8, §5",
    },
    Row {
        op: Op::DeleteTeamTokenById,
        name: "delete_team_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[204]),
        source: "ref §1 #9, §5",
    },
    Row {
        op: Op::ShowUserTokenById,
        name: "show_user_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[200]),
        source: "ref §5: user tokens only to the user's own user token; others 404",
    },
    Row {
        op: Op::DeleteUserTokenById,
        name: "delete_user_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[204]),
        source: "ref §5: user tokens only to the user's own user token; others 404",
    },
    Row {
        op: Op::ListTeamTokens,
        name: "list_team_tokens",
        operation: "listTeamTokens",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #10, §5",
    },
    Row {
        op: Op::DeleteTeamTokens,
        name: "delete_team_tokens",
        operation: "deleteTeamTokens",
        // HCP Terraform's team-tokens page only; TFE's docs have no bulk delete.
        profiles: HCP,
        destructive: false,
        expect: [
            s(&[204]),
            s(&[204]),
            s(&[204]),
            s(&[403, 404]),
            s(&[204]),
            BAD,
            BAD,
            BAD,
        ],
        source: "HCP Terraform team-tokens docs, bulk delete: 204; 403 \"not authorized to \
                 delete team tokens\" or 404; owners level as for team tokens (ref §5)",
    },
    Row {
        op: Op::ListUserTokens,
        name: "list_user_tokens",
        operation: "listUserTokens",
        profiles: CURRENT,
        destructive: false,
        expect: [
            Expect::Listed,
            Expect::Hidden,
            Expect::Hidden,
            Expect::Hidden,
            Expect::Listed,
            BAD,
            BAD,
            BAD,
        ],
        source: "ref §5: others get an empty list, or 404",
    },
    Row {
        op: Op::CreateUserToken,
        name: "create_user_token",
        operation: "createUserToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[201]),
        source: "ref §1 #13, §5",
    },
    Row {
        op: Op::CreateAgentToken,
        name: "create_agent_token",
        operation: "createAgentToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[201]),
        source: AGENT_TOKENS,
    },
    Row {
        op: Op::ListAgentTokens,
        name: "list_agent_tokens",
        operation: "listAgentTokens",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: AGENT_TOKENS,
    },
    Row {
        op: Op::ShowAgentTokenById,
        name: "show_agent_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: AGENT_TOKENS,
    },
    Row {
        op: Op::DeleteAgentTokenById,
        name: "delete_agent_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[204]),
        source: AGENT_TOKENS,
    },
];

/// Who may manage a pool's agent tokens. The agent-tokens docs answer 404 "Agent Pool not
/// found, or user unauthorized" to anyone else; organization permissions docs: owners and
/// teams with "Manage agent pools"; api-tokens docs: an owners-team token has an owner's
/// permissions, and an organization token may use every endpoint whose page carries no note
/// barring it (the agent-tokens page has none). A team without permissions: 404.
const AGENT_TOKENS: &str = "agent-tokens docs (404 for a user unauthorized); organization \
                            permissions docs (owners, Manage agent pools); api-tokens docs \
                            (owners-team and organization tokens); ref §1 #14, §5";

impl Row {
    pub fn expect(&self, persona: Persona) -> Expect {
        let i = Persona::ALL
            .iter()
            .position(|p| *p == persona)
            .expect("every persona has a column");
        self.expect[i]
    }

    /// The step under which the trial of `persona` records the request the row is about (the
    /// other exchanges prepare the target and the persona): reports find the cell's answer by it.
    pub fn acting_step(&self, persona: Persona) -> String {
        format!("{} as {}", self.operation, persona.name())
    }

    pub(super) fn touches_org_token(&self) -> bool {
        matches!(
            self.op,
            Op::CreateOrganizationToken
                | Op::ShowOrganizationToken
                | Op::DeleteOrganizationToken
                | Op::CreateAuditTrailsToken
                | Op::ShowAuditTrailsToken
                | Op::DeleteAuditTrailsToken
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    #[test]
    fn every_row_names_a_spec_operation_and_every_token_operation_has_a_row() {
        let spec = Spec::get();
        for row in MATRIX {
            assert!(
                spec.operation(row.operation).is_some(),
                "{} names no operation",
                row.name
            );
        }
        let fixtures = [
            "ping",
            "getAccountDetails",
            "getOrganization",
            "listTeams",
            "createTeam",
            "getTeam",
            "deleteTeam",
            "listAgentPools",
            "createAgentPool",
            "getAgentPool",
            "deleteAgentPool",
        ];
        for op in spec.operations() {
            if fixtures.contains(&op.id.as_str()) {
                continue;
            }
            assert!(
                MATRIX.iter().any(|r| r.operation == op.id),
                "the matrix has no row for {}",
                op.id
            );
        }
    }

    #[test]
    fn bad_tokens_always_get_401_and_only_bulk_delete_may_answer_403() {
        for row in MATRIX {
            for persona in [Persona::Anonymous, Persona::Malformed, Persona::Revoked] {
                assert_eq!(row.expect(persona), BAD, "{} {}", row.name, persona.name());
            }
            for persona in Persona::ALL {
                if let Expect::Status(codes) = row.expect(persona) {
                    assert!(
                        !codes.contains(&403) || row.op == Op::DeleteTeamTokens,
                        "{}",
                        row.name
                    );
                }
            }
        }
    }
}
